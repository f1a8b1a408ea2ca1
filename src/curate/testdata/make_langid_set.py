#!/usr/bin/env python3
"""Builds langid_debian.tsv: labelled paragraphs of real text from translated
man pages shipped in Debian packages (man-db, dpkg, dpkg-dev, apt, passwd,
login, procps, psmisc, ...). Each line: label <TAB> source-page <TAB> text.

Run on a Debian 12 system with those packages installed:
  python3 make_langid_set.py > langid_debian.tsv
Paragraphs are rendered with `man -l` (groff, plain text), cleaned of option
lists and code-like lines and of paragraphs left untranslated (identical to the
English page), and cut to 60..300 characters at a sentence end.
"""
import os, re, subprocess, sys, random

DIRS = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
        "pt": "Portuguese", "pt_BR": "Portuguese", "nl": "Dutch", "pl": "Polish",
        "ru": "Russian", "uk": "Ukrainian", "sv": "Swedish", "da": "Danish", "ja": "Japanese",
        "ko": "Korean", "zh_CN": "Chinese", "zh_TW": "Chinese", "cs": "Czech",
        "tr": "Turkish", "ro": "Romanian", "id": "Indonesian", "hu": "Hungarian"}
PER_LANG = 40

def pages(d):
    root = "/usr/share/man" if d == "en" else f"/usr/share/man/{d}"
    out = []
    for sub in sorted(os.listdir(root)):
        p = os.path.join(root, sub)
        if not sub.startswith("man") or not os.path.isdir(p):
            continue
        for f in sorted(os.listdir(p)):
            out.append(os.path.join(p, f))
    return out

def paragraphs(path):
    env = dict(os.environ, MANWIDTH="10000", LANG="C.UTF-8", MAN_KEEP_FORMATTING="0")
    try:
        txt = subprocess.run(["man", "-l", "-E", "UTF-8", path], capture_output=True,
                             env=env, timeout=20).stdout.decode("utf-8", "replace")
    except Exception:
        return []
    txt = re.sub(r".\x08", "", txt)
    res = []
    for line in txt.split("\n"):
        s = " ".join(line.split())
        if len(s) < 60 or re.search(r"[/=<>{}\[\]|$_]|--|\.\w{2,4}\b\s*$", s):
            continue
        if sum(ch.isdigit() for ch in s) > 4:
            continue
        if len(s) > 300:
            cut = max(s.rfind(". ", 0, 300), s.rfind("。", 0, 300))
            s = s[:cut + 1] if cut > 60 else s[:300].rsplit(" ", 1)[0]
        res.append(s)
    return res

def main():
    random.seed(7)
    for d, label in DIRS.items():
        cands = []
        ps = pages(d)
        random.shuffle(ps)
        for p in ps:
            # Translations are often partial: drop paragraphs that also occur in
            # the English page of the same name (they were left untranslated).
            english = set()
            if d != "en":
                rel = os.path.relpath(p, f"/usr/share/man/{d}")
                if os.path.exists(os.path.join("/usr/share/man", rel)):
                    english = set(paragraphs(os.path.join("/usr/share/man", rel)))
            for para in [x for x in paragraphs(p) if x not in english][:6]:
                cands.append((os.path.basename(p), para))
            if len(cands) >= 4 * PER_LANG:
                break
        seen, picked = set(), []
        random.shuffle(cands)
        for src, para in cands:
            if para in seen:
                continue
            seen.add(para)
            picked.append((src, para))
            if len(picked) >= PER_LANG:
                break
        for src, para in picked:
            print(f"{label}\t{d}/{src}\t{para}")

main()
