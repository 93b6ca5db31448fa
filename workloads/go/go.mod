module hzprof/workloads/go

go 1.19
