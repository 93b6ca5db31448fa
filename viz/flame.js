// flame.js — the script of every flame graph SVG that `hzprof flame` writes (viz/flame.c
// embeds it at build time: viz/flame_embed.cmake). Hover shows a frame's details, a click
// zooms into it (ancestors stretch to the full width and dim, descendants scale with it),
// Reset Zoom returns, Search (the button or Ctrl-F) takes a regular expression, colours
// the matching frames and shows the share of the total they cover. The zoom and the search
// are kept in the URL's fragment (#x=S&y=Y&s=REGEX: S the zoomed frame's start, Y its
// original y), so a link or a reload shows the same view.
//
// The document (flame.c writes it): the svg element has data-xpad and data-inverted; the
// group #frames holds one g per frame, with data-s and data-v (its start and value, exact,
// in the sample type's unit: zooming is exact where the pixel coordinates are rounded) and
// the children title ("NAME (DETAILS)"), rect, and text (the label; only where it fits).
'use strict';

(function () {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const HIGHLIGHT = 'rgb(230,0,230)';
  const CHAR_PX = 12 * 0.59; // Verdana at 12 px, as flame.c measures labels

  let framesEl, details, matched, unzoomBtn, searchBtn;
  let xpad, full, inverted, total;
  let frames = []; // { g, r, t, s, v, y, name, and the originals x0 w0 fill0 tx0 label0 }
  let searching = null, zoomedAt = null;

  function setLabel(f, x, w) {
    const fit = Math.floor((w - 3) / CHAR_PX);
    const text = fit < 3 ? '' : f.name.length > fit ? f.name.substring(0, fit - 2) + '..' : f.name;
    if (!f.t) {
      if (!text) return;
      f.t = document.createElementNS(SVG_NS, 'text');
      f.t.setAttribute('y', f.y + parseFloat(f.r.getAttribute('height')) - 4);
      f.g.appendChild(f.t);
    }
    f.t.setAttribute('x', x + 3);
    f.t.textContent = text;
  }

  function place(f, x, w, show, opacity) {
    if (!show) {
      f.g.classList.add('hide');
      return;
    }
    f.g.classList.remove('hide');
    f.r.setAttribute('x', x);
    f.r.setAttribute('width', w);
    f.g.style.opacity = opacity;
    setLabel(f, x, w);
  }

  function frameOf(el) {
    while (el && el !== framesEl) {
      if (el.parentNode === framesEl) return el.frame;
      el = el.parentNode;
    }
    return null;
  }

  function zoom(target) {
    const s0 = target.s, v0 = target.v, y0 = target.y, ratio = full / v0;
    unzoomBtn.classList.remove('hide');
    zoomedAt = [s0, y0];
    for (const f of frames) {
      const rootward = inverted ? f.y < y0 : f.y > y0;
      if (rootward || f.y === y0) {
        const contains = f.s <= s0 && f.s + f.v >= s0 + v0;
        place(f, xpad, full, contains, f.y === y0 ? '1' : '0.6');
      } else {
        const inside = f.s >= s0 && f.s + f.v <= s0 + v0;
        place(f, xpad + (f.s - s0) * ratio, f.v * ratio, inside, '1');
      }
    }
    if (searching !== null) search(searching);
    saveState();
  }

  function unzoom() {
    unzoomBtn.classList.add('hide');
    zoomedAt = null;
    for (const f of frames) { // as written, not recomputed: the same to the last digit
      f.g.classList.remove('hide');
      f.g.style.opacity = '1';
      f.r.setAttribute('x', f.x0);
      f.r.setAttribute('width', f.w0);
      if (f.t) {
        f.t.setAttribute('x', f.tx0);
        f.t.textContent = f.label0;
      }
    }
    if (searching !== null) search(searching);
    saveState();
  }

  function search(term) {
    let re;
    try {
      re = new RegExp(term);
    } catch (e) {
      matched.textContent = 'Bad regular expression';
      return;
    }
    searching = term;
    const spans = [];
    for (const f of frames) {
      if (re.test(f.name)) {
        f.r.setAttribute('fill', HIGHLIGHT);
        spans.push([f.s, f.s + f.v]);
      } else {
        f.r.setAttribute('fill', f.fill0);
      }
    }
    // The share of the total under a match, nested matches counted once.
    spans.sort(function (a, b) { return a[0] - b[0]; });
    let covered = 0, end = -Infinity;
    for (const [a, b] of spans) {
      const from = Math.max(a, end);
      if (b > from) covered += b - from;
      end = Math.max(end, b);
    }
    searchBtn.textContent = 'Reset Search';
    matched.textContent = 'Matched: ' + (total > 0 ? 100 * covered / total : 0).toFixed(1) + '%';
    saveState();
  }

  function resetSearch() {
    searching = null;
    for (const f of frames) f.r.setAttribute('fill', f.fill0);
    searchBtn.textContent = 'Search';
    matched.textContent = ' ';
    saveState();
  }

  function askSearch() {
    const term = window.prompt('Search for (regular expression):', searching || '');
    if (term) search(term);
  }

  function saveState() {
    const p = [];
    if (zoomedAt) p.push('x=' + zoomedAt[0], 'y=' + zoomedAt[1]);
    if (searching !== null) p.push('s=' + encodeURIComponent(searching));
    try {
      history.replaceState(null, '', p.length ? '#' + p.join('&') : location.pathname + location.search);
    } catch (e) {
      // A file:// page in some browsers: the view just is not kept.
    }
  }

  function loadState() {
    const q = {};
    for (const kv of location.hash.substring(1).split('&')) {
      const k = kv.indexOf('=');
      if (k > 0) q[kv.substring(0, k)] = kv.substring(k + 1);
    }
    if (q.x !== undefined && q.y !== undefined) {
      const s = parseFloat(q.x), y = parseFloat(q.y);
      const hit = frames.find(function (f) { return f.s === s && f.y === y; });
      if (hit) zoom(hit);
    }
    if (q.s) {
      try {
        search(decodeURIComponent(q.s));
      } catch (e) {
        // A fragment that is not valid percent-encoding: no search.
      }
    }
  }

  function init() {
    const svg = document.documentElement;
    framesEl = document.getElementById('frames');
    details = document.getElementById('details');
    matched = document.getElementById('matched');
    unzoomBtn = document.getElementById('unzoom');
    searchBtn = document.getElementById('search');
    xpad = parseFloat(svg.getAttribute('data-xpad'));
    full = parseFloat(svg.getAttribute('width')) - 2 * xpad;
    inverted = svg.getAttribute('data-inverted') === '1';
    total = 0;
    for (const g of framesEl.children) {
      const title = g.children[0].textContent, r = g.children[1], t = g.children[2] || null;
      const f = {
        g: g, r: r, t: t,
        s: parseFloat(g.getAttribute('data-s')), v: parseFloat(g.getAttribute('data-v')),
        y: parseFloat(r.getAttribute('y')),
        name: title.substring(0, title.lastIndexOf(' (')),
        // As written, for Reset Zoom and Reset Search.
        x0: r.getAttribute('x'), w0: r.getAttribute('width'), fill0: r.getAttribute('fill'),
        tx0: t ? t.getAttribute('x') : '0', label0: t ? t.textContent : '',
      };
      g.frame = f;
      frames.push(f);
      total = Math.max(total, f.v);
    }
    framesEl.addEventListener('mouseover', function (e) {
      const f = frameOf(e.target);
      if (f) details.textContent = 'Function: ' + f.g.children[0].textContent;
    });
    framesEl.addEventListener('mouseout', function () { details.textContent = ' '; });
    framesEl.addEventListener('click', function (e) {
      const f = frameOf(e.target);
      if (f) zoom(f);
    });
    unzoomBtn.addEventListener('click', unzoom);
    searchBtn.addEventListener('click', function () {
      if (searching !== null) resetSearch();
      else askSearch();
    });
    window.addEventListener('keydown', function (e) {
      if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F')) {
        e.preventDefault();
        askSearch();
      }
    });
    loadState();
  }

  window.addEventListener('load', init);
})();
