"""GGUF headers read remotely: the key-value metadata and tensor table of a ``.gguf`` file, never its weights.

A GGUF file starts ``GGUF``, a version, the tensor and key-value counts, the key-value pairs
(``general.architecture`` …) and the tensor table (name, dimensions, ggml type, offset); the weights follow,
aligned. The header has no length prefix, so it is read in growing prefixes (each a fresh request that is
closed as soon as the prefix is in) up to ``SizeLimits.tensor_header``. The summary has the shape of a
safetensors one (:mod:`._headers`): ``tensors`` as ``[name, ggml type, shape]`` (shape in PyTorch order,
so the same tensor rules apply), string metadata, ``data_bytes``.
"""

from __future__ import annotations

import struct
from typing import Any

GGML_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K", 11: "Q3_K",
    12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S",
    20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64",
    29: "IQ1_M", 30: "BF16", 34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
}
# value type -> struct format of a scalar (8 = string, 9 = array)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
MAX_KV = 100_000
MAX_TENSORS = 200_000
MAX_DIMS = 8
MAX_DIM = 1 << 40
PREFIXES = (256 << 10, 2 << 20)  # then the limit: most diffusion-model headers fit in the first


class Incomplete(ValueError):
    """The prefix ended inside the header: read a longer one."""


def is_gguf(first: bytes) -> bool:
    return first[:4] == b"GGUF"


def parse_gguf(data: bytes, file_size: int | None, limit: int) -> dict[str, Any]:
    """Check and summarise a GGUF header from the prefix ``data``; ValueError names the fault (Incomplete: too short)."""
    reader = _Reader(data, limit)
    if reader.take(4) != b"GGUF":
        raise ValueError("it does not start with the GGUF magic")
    version = reader.scalar("<I")
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} is not supported (2 and 3 are)")
    n_tensors, n_kv = reader.scalar("<Q"), reader.scalar("<Q")
    if n_tensors > MAX_TENSORS or n_kv > MAX_KV:
        raise ValueError(f"it claims {n_tensors} tensors and {n_kv} metadata pairs: absurd")
    metadata: dict[str, str] = {}
    alignment = 32
    for _ in range(n_kv):
        key = reader.string()
        value = reader.value(reader.scalar("<I"))
        if isinstance(value, str) and len(value) <= 1024:
            metadata[key] = value
        if key == "general.alignment" and isinstance(value, int) and not isinstance(value, bool):
            alignment = value if 0 < value <= 1 << 20 else 32
    tensors, ends = [], 0
    for _ in range(n_tensors):
        name = reader.string()
        n_dims = reader.scalar("<I")
        if n_dims > MAX_DIMS:
            raise ValueError(f"tensor {name[:80]!r} has {n_dims} dimensions: absurd")
        dims = [reader.scalar("<Q") for _ in range(n_dims)]
        if any(d > MAX_DIM for d in dims):
            raise ValueError(f"tensor {name[:80]!r} has an absurd shape")
        kind = reader.scalar("<I")
        offset = reader.scalar("<Q")
        if kind not in GGML_TYPES:
            raise ValueError(f"tensor {name[:80]!r} has an unknown ggml type {kind}")
        tensors.append([name, GGML_TYPES[kind], dims[::-1]])
        ends = max(ends, offset)
    start = -(-reader.at // alignment) * alignment
    if file_size is not None and start + ends > file_size:
        raise ValueError(f"a tensor starts at byte {start + ends}, past the end of the file ({file_size} bytes)")
    data_bytes = file_size - start if file_size is not None else ends
    return {"format": "gguf", "header_bytes": start, "data_bytes": data_bytes, "metadata": metadata, "tensors": tensors}


class _Reader:
    def __init__(self, data: bytes, limit: int) -> None:
        self.data, self.at, self.limit = data, 0, limit

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            if self.at + n > self.limit:
                raise ValueError(f"its header is longer than the {self.limit >> 20} MiB limit (SizeLimits.tensor_header)")
            raise Incomplete("the header continues past the bytes read")
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def scalar(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        length = self.scalar("<Q")
        if length > self.limit:
            raise ValueError(f"a string of {length} bytes is longer than the header limit")
        return self.take(length).decode("utf-8", errors="replace")

    def value(self, kind: int) -> Any:
        if kind in _SCALARS:
            return self.scalar(_SCALARS[kind])
        if kind == 8:
            return self.string()
        if kind == 9:
            inner, count = self.scalar("<I"), self.scalar("<Q")
            if count > self.limit:
                raise ValueError(f"an array of {count} items is longer than the header limit")
            if inner in _SCALARS:  # skipped in one step: tokenizer arrays are large and say nothing here
                self.take(count * struct.calcsize(_SCALARS[inner]))
            else:
                for _ in range(count):
                    self.value(inner)
            return None
        raise ValueError(f"a metadata value has an unknown type {kind}")
