"""The literal prefilter never rejects a text its pattern matches."""

from __future__ import annotations

import random
import re

import pytest

from comfyframe.inference._infer_family import HIGH_NOISE, LOW_NOISE
from comfyframe.inference._infer_literals import required_literals
from comfyframe.inference._infer_normalize import normalize
from comfyframe.rules import _rules

TABLES = ("variants", "family_names", "metadata_families", "precisions", "gguf_quants", "component_params",
          "kind_hints", "name_masks", "outside_families")  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("abc", ("abc",)),
        ("ab+c", ("ab",)),  # "b" repeats: what follows it starts a new run
        ("abc?d", ("ab",)),
        ("x(?:ab)?y", ("x",)),
        ("(ab)+", ("ab",)),
        ("a{0,2}bb", ("bb",)),
        (r"\.gguf", (".gguf",)),
        (r"\d+b", ("b",)),
        ("[]a]xy", ("xy",)),
        ("a|b", ("a", "b")),
        ("[^a-z0-9](?:t2v|txt2vid|text[ .]??to[ .]??video)[^a-z0-9]", ("t2v", "txt2vid", "video")),
        ("(?:a|b)(?:c|d)e", ("ace", "ade", "bce", "bde")),  # exact strings multiply out
        ("x(?:a|b)+y", ("xa", "xb")),
        (" (?:h|hn) | high $", (" h ", " high ", " hn ")),
        ("(?:a|)", None),  # an empty branch needs nothing
        ("[a-z]+", None),
        (r"\x41bc", None),  # escapes with arguments are not modelled
        ("(?=x)abc", None),  # nor lookarounds and flags
        ("(?i)abc", None),
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert required_literals(pattern) == literals


def _texts() -> list[str]:
    rng = random.Random(0)
    words = ["t2v", "i2v", "wan", "2.1", "2.2", "14b", "1.3b", "sdxl", "sd", "xl", "flux", "1", "dev", "turbo",
             "high", "noise", "low", "q4", "k", "m", "fp8", "e4m3fn", "bf16", "pony", "il", "lora", "vae", "clip",
             "text", "to", "video", "image", "edit", "inpaint", "ing", "4", "steps", "hyper", "qwen", "ltx", "v",
             "h", "hn", "hi", "l", "ln", "lo", "lownoise", "hinoise"]  # fmt: skip
    names = ["_".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    noise = [" " + "".join(rng.choice("ab .x0") for _ in range(12)) + " " for _ in range(500)]
    return normalize(names).tolist() + noise


@pytest.mark.parametrize("table", [*TABLES, "expert_pairs"])
def test_no_rule_match_lacks_its_literal(table: str) -> None:
    texts = _texts()
    patterns = (HIGH_NOISE, LOW_NOISE, r"^ +| +$", r" [^ ]+$") if table == "expert_pairs" else _rules.patterns(table)
    for pattern in patterns:
        literals = required_literals(pattern)
        assert literals is not None, pattern
        search = re.compile(pattern).search
        for text in texts:
            if search(text):
                assert any(x in text for x in literals), (pattern, text)


def test_joined_texts_find_the_texts_holding_a_literal() -> None:
    from comfyframe.inference._regex_prefilter import _Joined

    rng = random.Random(1)
    texts = ["".join(rng.choice("ab x") for _ in range(rng.randint(0, 8))) for _ in range(300)]
    joined = _Joined(texts)
    for literals in (("ab",), ("xa", "bb"), ("ab x", "aa", "b b"), ("zz",)):
        assert joined.holding(literals) == [i for i, t in enumerate(texts) if any(x in t for x in literals)]
