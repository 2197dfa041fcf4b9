"""How many tokens each language costs under the tokenizers of several model families: the
notebook workflow, as a script whose `# %%` cells a notebook editor opens as cells.

Loads tokenizers of three families (names given, so two files both called tokenizer.json would
not clash), adds a tiktoken Encoding object when tiktoken is installed, measures the bundled
sentence of the GPT-4o announcement in 20 languages, and shows the report as a wide table of
premiums over English, a chart, one sentence token by token, and a page of the tokenizers side
by side.

    .venv/bin/python examples/compare_tokenizers.py [OUT_DIR]
"""

# %%
import sys
from pathlib import Path

import omnitok

ROOT = Path(__file__).resolve().parents[1]
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "examples"
out_dir.mkdir(parents=True, exist_ok=True)

# %% Tokenizers: a built-in encoding, a tokenizer.json, and a SentencePiece .model as downloaded.
# (The two files are the test fixtures: vocabularies of 1,200-1,500 tokens, so their figures
# only show the workflow. Point these lines at a model's own tokenizer.json or tokenizer.model.)
tokenizers = [
    omnitok.get_encoding("o200k_base"),
    omnitok.Tokenizer.from_file(ROOT / "fixtures/tokenizers/wordpiece.json", name="bert-like"),
    omnitok.Tokenizer.from_file(ROOT / "fixtures/sentencepiece/unigram_nfkc.model", name="mt5-like"),
]
try:  # tiktoken's own Encoding objects are taken as they are
    import tiktoken

    cl100k = omnitok.get_encoding("cl100k_base")
    tokenizers.append(
        tiktoken.Encoding(
            name="cl100k (tiktoken)",
            pat_str=cl100k._pat_str,
            mergeable_ranks=cl100k._mergeable_ranks,
            special_tokens={},
        )
    )
except ImportError:
    pass

# %% Tokens per language and tokenizer.
# One sentence in 20 languages, as in the "Hello GPT-4o" announcement (parallel text: the
# premium is each language's tokens over English's for the same sentence).
report = omnitok.compression_report(
    ROOT / "fixtures/gpt4o-languages", tokenizers, reference="en", sort="premium"
)
print(report.pivot("premium").round(2).head(8).to_string())

# %% A chart (a notebook shows `report.plot()` inline).
chart = report.plot(out_dir / "premiums.svg", metric="premium")
chart.save(out_dir / "premiums.png")
print(f"chart: {out_dir / 'premiums.png'} ({len(chart.png)} bytes PNG)")

# %% Tokens of one sentence, token by token.
sentence = "Tokenizers cost some languages more than others."
for tokenizer in tokenizers[:3]:
    ids = tokenizer.encode(sentence)
    pieces = [tokenizer.decode_single_token_bytes(i).decode("utf-8", "replace") for i in ids]
    print(f"{tokenizer.name:12} {len(ids):3} tokens: {' | '.join(pieces)}")

# %% The same sentence in three languages, the tokenizers side by side (a notebook shows
# `view` inline; `omnitok show --html` writes the same page from the command line).
languages = {
    lang: (ROOT / "fixtures/gpt4o-languages" / f"{lang}.txt").read_text(encoding="utf-8")
    for lang in ["en", "hi", "ja"]
}
view = omnitok.show(languages, tokenizers)
view.save(out_dir / "tokens.html")
print(f"tokens side by side: {out_dir / 'tokens.html'}")
view.print(color=sys.stdout.isatty())
