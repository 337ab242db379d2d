# TEMPORARY scratch for local testing; replaced by the real module from wt-memory. Not committed.
from __future__ import annotations

import numpy as np

from . import _rules


def job_defaults(codes):
    video = _rules.by_family("modality", "")[codes] == "video"
    w = np.where(video, 832.0, 1024.0); h = np.where(video, 480.0, 1024.0); f = np.where(video, 81.0, 1.0)
    return w, h, f
def activation_gb(codes, width, height, frames, batch, dtype_bytes=2.0):
    w = np.broadcast_to(np.asarray(width, float), codes.shape); h = np.broadcast_to(np.asarray(height, float), codes.shape)
    f = np.broadcast_to(np.asarray(frames, float), codes.shape)
    area = 2 * batch * (w / 8) * (h / 8) * ((f - 1) // 4 + 1)
    return area * dtype_bytes * 0.01 * 2.0 / 1024
def vae_decode_gb(codes, width, height, frames, batch):
    w = np.broadcast_to(np.asarray(width, float), codes.shape); h = np.broadcast_to(np.asarray(height, float), codes.shape)
    f = np.broadcast_to(np.asarray(frames, float), codes.shape)
    return 2178 * w/8 * h/8 * 64 * f * batch / 2**30 * 0.01
