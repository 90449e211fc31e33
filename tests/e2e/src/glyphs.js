// Does this screen draw its Hangul with real glyphs? Run by Desktop::check_hangul
// (lib.rs) through WebDriver's execute-async: arguments[0] is the family the
// app bundles ('Noto Sans KR Variable'), arguments[1] a font-family list to
// draw with instead of each element's own (null: the element's own; the
// detector's self-test passes a family without Hangul), the last argument the
// callback. Answers { hangul, problems: [..], faces, samples }.
//
// Why not document.fonts.check(): it answers true for a family that does not
// exist or is not used (CSS Font Loading: it only says whether drawing would
// start a download), so it cannot say no. Two things are checked instead:
//  1. the bundled faces whose unicode-range covers the Hangul on screen are
//     `loaded` (the page asked for them and they decoded), and every element
//     that shows Hangul names the bundled family in its font-family;
//  2. the glyphs themselves: each distinct syllable (up to 48) is drawn on a
//     canvas with the element's font, and its pixels must differ from the
//     drawing of U+10FFFD (a private-use code point no font has: the
//     missing-glyph box, or nothing, of this very font stack) and be inked;
//     distinct syllables must give distinct pixels (boxes are all alike).
const done = arguments[arguments.length - 1];
const bundled = arguments[0];
const override = arguments[1];
// Syllables and compatibility jamo: the Hangul a UI shows, each a visible glyph of its own.
const HANGUL = /[\u3131-\u318E\uAC00-\uD7A3]/gu;
const MISSING = '\u{10FFFD}';

function visible(el) {
  if (!el || !el.isConnected) return false;
  if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, opacityProperty: false })) return false;
  return el.getClientRects().length > 0;
}

// What the screen shows, with the element that draws it.
function shownTexts() {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'OPTION', 'TEXTAREA'].includes(el.tagName)) continue;
    if (n.data.match(HANGUL) && visible(el)) out.push({ el, text: n.data });
  }
  for (const el of document.querySelectorAll('input, textarea, select')) {
    if (!visible(el)) continue;
    if (el.tagName === 'SELECT') {
      const opt = el.selectedOptions[0];
      if (opt && opt.text.match(HANGUL)) out.push({ el, text: opt.text });
    } else {
      const shown = el.value || el.placeholder || '';
      if (el.type !== 'password' && shown.match(HANGUL)) out.push({ el, text: shown });
    }
  }
  return out;
}

function describe(el) {
  const id = el.closest('[data-testid]')?.getAttribute('data-testid');
  return `<${el.tagName.toLowerCase()}${id ? ` in [data-testid=${id}]` : ''}>`;
}

function familyNames(list) {
  return list.split(',').map((f) => f.trim().replace(/^["']|["']$/g, ''));
}

// unicode-range of a FontFace ("U+AC00-D7A3, U+20") as [lo, hi] pairs.
function ranges(face) {
  return (face.unicodeRange || 'U+0-10FFFF').split(',').map((r) => {
    const [lo, hi] = r.trim().replace(/^U\+/i, '').split('-');
    if (lo.includes('?')) return [parseInt(lo.replace(/\?/g, '0'), 16), parseInt(lo.replace(/\?/g, 'F'), 16)];
    return [parseInt(lo, 16), parseInt(hi ?? lo, 16)];
  });
}

function draw(ctx, font, ch) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.font = font;
  ctx.fillStyle = '#000';
  ctx.textBaseline = 'middle';
  ctx.fillText(ch, 8, height / 2);
  const data = ctx.getImageData(0, 0, width, height).data;
  let ink = 0;
  let hash = 2166136261;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] > 0) ink++;
    hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
  }
  return { ink, key: `${hash}:${ink}` };
}

(async () => {
  const problems = [];
  await document.fonts.ready;
  const shown = shownTexts();
  const chars = [...new Set(shown.flatMap(({ text }) => text.match(HANGUL) ?? []))];

  // 1. The bundled faces that cover the Hangul on screen are loaded.
  const faces = [...document.fonts].filter((f) => familyNames(f.family)[0] === bundled);
  const statuses = {};
  for (const f of faces) statuses[f.status] = (statuses[f.status] ?? 0) + 1;
  if (override === null) {
    if (faces.length === 0) problems.push(`no @font-face of the bundled family '${bundled}' in the page`);
    for (const ch of chars) {
      const cp = ch.codePointAt(0);
      const covering = faces.filter((f) => ranges(f).some(([lo, hi]) => cp >= lo && cp <= hi));
      if (faces.length > 0 && covering.length === 0) problems.push(`no bundled face covers ${ch} (U+${cp.toString(16).toUpperCase()})`);
      else if (covering.length > 0 && !covering.some((f) => f.status === 'loaded')) {
        problems.push(`the bundled face for ${ch} (U+${cp.toString(16).toUpperCase()}) is ${covering.map((f) => f.status).join('/')}, not loaded`);
      }
    }
    const seen = new Set();
    for (const { el } of shown) {
      const fam = getComputedStyle(el).fontFamily;
      if (!familyNames(fam).includes(bundled) && !seen.has(fam)) {
        seen.add(fam);
        problems.push(`${describe(el)} shows Hangul in font-family ${fam}, which does not name '${bundled}'`);
      }
    }
  }

  // 2. The glyphs: drawn with each element's font (or the override).
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 48;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const fonts = new Map();
  for (const { el, text } of shown) {
    const s = getComputedStyle(el);
    const family = override ?? s.fontFamily;
    const font = `${s.fontStyle} ${s.fontWeight} 32px ${family}`;
    if (!fonts.has(font)) fonts.set(font, { where: describe(el), chars: new Set() });
    for (const ch of text.match(HANGUL) ?? []) fonts.get(font).chars.add(ch);
  }
  const samples = [];
  for (const [font, { where, chars: set }] of fonts) {
    const list = [...set].slice(0, 48);
    // Make sure the slices are there for the canvas (a no-op for faces the page loaded).
    try {
      await document.fonts.load(font, list.join(''));
    } catch (e) {
      problems.push(`the font ${font} could not be loaded: ${e}`);
    }
    const tofu = draw(ctx, font, MISSING);
    const keys = new Map();
    const bad = [];
    for (const ch of list) {
      const g = draw(ctx, font, ch);
      if (g.ink === 0 || g.key === tofu.key) bad.push(ch);
      keys.set(g.key, (keys.get(g.key) ?? []).concat(ch));
    }
    if (bad.length > 0) problems.push(`${where}: ${bad.length} of ${list.length} syllables draw as the missing glyph or nothing in ${font}: ${bad.slice(0, 12).join('')}`);
    const alike = [...keys.values()].filter((v) => v.length > 1);
    if (alike.length > 0) problems.push(`${where}: different syllables draw the same pixels in ${font}: ${alike.map((v) => v.join('')).slice(0, 6).join(' ')}`);
    samples.push({ font, chars: list.length, distinct: keys.size, tofuInk: tofu.ink });
  }
  // Let the page draw a frame with what it has now (the screenshot comes next).
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { hangul: chars.length, problems, faces: statuses, samples };
})().then(done, (e) => done({ hangul: 0, problems: [`the glyph check failed: ${e}`], faces: {}, samples: [] }));
