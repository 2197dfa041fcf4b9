"""``omnitok.show``: the tokens a notebook shows are the tokens the references give. The HTML
fragment is read back with Python's HTML parser: every column's spans spell the text and carry
the IDs of tiktoken and sentencepiece, live."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import sentencepiece as spm

import omnitok

from conftest import reference_encoding

MODEL = Path(__file__).resolve().parents[2] / "fixtures" / "sentencepiece" / "bpe_byte_fallback.model"


class Columns(HTMLParser):
    """Per column (``div.view``): its tokenizer, the text its token spans spell (line-break
    and control marks left out) and the IDs they carry."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.columns: list[dict] = []
        self.depth = 0  # open spans inside a token span
        self.in_token = False
        self.in_mark = False
        self.empty = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "view" in classes:
            self.columns.append({"tokenizer": attrs["data-tokenizer"], "text": "", "ids": []})
        elif tag == "span" and "t" in classes:
            self.in_token, self.empty = True, "empty" in classes
            self.columns[-1]["ids"] += [int(i) for i in attrs["data-ids"].split()]
        elif tag == "span" and "nl" in classes:
            self.in_mark = True

    def handle_endtag(self, tag):
        if tag == "span":
            if self.in_mark:
                self.in_mark = False
            else:
                self.in_token = False

    def handle_data(self, data):
        if self.in_token and not self.in_mark and not self.empty:
            self.columns[-1]["text"] += data


def columns(html: str) -> list[dict]:
    parser = Columns()
    parser.feed(html)
    parser.close()
    return parser.columns


def test_columns_spell_the_text_with_the_references_ids(texts):
    sp = spm.SentencePieceProcessor(model_file=str(MODEL))
    llama = omnitok.Tokenizer.from_file(MODEL, name="llama-style")
    tiktoken_cl100k = reference_encoding("cl100k_base")
    sample = {lang: texts[lang][:400] for lang in ["de", "ja", "hi", "ru"]}
    view = omnitok.show(sample, ["o200k_base", tiktoken_cl100k, llama], max_chars=400)
    found = columns(view._repr_html_())
    assert len(found) == 3 * len(sample)
    for (lang, text), group in zip(sample.items(), [found[i : i + 3] for i in range(0, len(found), 3)]):
        o200k, cl100k, sentencepiece = group
        assert [c["tokenizer"] for c in group] == ["o200k_base", "cl100k_base", "llama-style"]
        assert o200k["ids"] == reference_encoding("o200k_base").encode_ordinary(text), lang
        assert cl100k["ids"] == tiktoken_cl100k.encode_ordinary(text), lang
        assert sentencepiece["ids"] == sp.encode(text), lang
        for column in group:
            assert column["text"] == text, (lang, column["tokenizer"])


def test_plain_text_page_and_terminal(tmp_path):
    view = omnitok.show("Hello world", "o200k_base")
    assert str(view) == "== text\n-- o200k_base: 2 tokens, 5.50 chars/token\nHello| world\n"
    assert repr(view) == "<TokenView of 1 texts under 1 tokenizers>"
    page = tmp_path / "tokens.html"
    view.save(page)
    html = page.read_text(encoding="utf-8")
    assert html == view.to_html() and html.startswith("<!DOCTYPE html>")
    assert "<title>Tokens under o200k_base</title>" in html
    fragment = view._repr_html_()
    assert fragment.startswith('<div class="omnitok-show"><style>') and "<html" not in fragment


def test_print_colours_tokens(capsys):
    omnitok.show("Hi\nyou").print()
    out = capsys.readouterr().out
    assert "\x1b[30;48;5;153mHi\x1b[0m" in out and "↵" in out
    omnitok.show("Hi you").print(color=False)
    assert capsys.readouterr().out.endswith("Hi| you\n")


def test_markup_stays_text():
    text = "<script>alert(1)</script> & <b>x</b>\r\n"
    found = columns(omnitok.show(text)._repr_html_())
    assert found[0]["text"] == text
    assert "<script>" not in omnitok.show(text).to_html()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="max_chars"):
        omnitok.show("x", max_chars=-1)
    with pytest.raises(TypeError, match="encoding names"):
        omnitok.show("x", [3])
    with pytest.raises(ValueError, match="no_such"):
        omnitok.show("x", ["no_such"])
