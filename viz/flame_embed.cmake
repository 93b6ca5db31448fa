# flame_embed.cmake — makes viz/flame.js a C string for flame.c, at build time, with CMake
# alone (no xxd or other tool): cmake -DIN=flame.js -DOUT=flame_js.c -P flame_embed.cmake
# The script goes into a CDATA section of the SVG, so it must not hold "]]>".
file(READ "${IN}" js)
string(FIND "${js}" "]]>" cdata_end)
if(NOT cdata_end EQUAL -1)
  message(FATAL_ERROR "${IN}: contains ']]>', which would end the SVG's CDATA section early")
endif()
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "(..)" "0x\\1," bytes "${hex}")
# About 16 bytes a line: the generated file stays readable in an editor.
string(REGEX REPLACE "((0x..,){16})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUT}"
     "/* Generated from viz/flame.js by viz/flame_embed.cmake: do not edit. */\n"
     "const char flame_script[] = {\n    ${bytes}0x00};\n")
