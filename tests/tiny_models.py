"""Tiny random-weight LTX-Video pipelines, built and saved locally (no hub access).

The sizes follow diffusers' own fast tests: one transformer layer, an
8-channel VAE, a T5 encoder of width 32. The tokenizer is trained here on a
few sentences, so nothing is downloaded. Saved with `save_pretrained`, the
folder loads through the same `from_pretrained` call as real weights.
"""

from __future__ import annotations

from pathlib import Path

WORDS = (
    "a the and of in on over to with camera slow push pull pan tilt left right up down static locked off "
    "dandelion seed head meadow sunset sun hills forest stream water mountain trail peaks bridge cables sky "
    "dragonfly twig leaves fig bowl spaniels cabin astronaut portrait vertical framing natural motion cinematic "
    "lighting golden hour light close up wide shot blurry distorted faces text watermark jitter low quality"
)


def build_tokenizer(folder: Path):
    """A T5 (Unigram) tokenizer over a small word list, built in memory."""
    from transformers import T5Tokenizer

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    vocab += [(f"\u2581{word}", -3.0 - i / 100) for i, word in enumerate(dict.fromkeys(WORDS.split()))]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    tokenizer.save_pretrained(folder / "tokenizer")
    return tokenizer


def build_tiny_ltx(folder: Path) -> Path:
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXConditionPipeline, LTXVideoTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    tokenizer = build_tokenizer(folder)
    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=32,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False), upsample_factor=(1, 1, 1, 1), timestep_conditioning=False,
        patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False,
    )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(T5Config(
        vocab_size=len(tokenizer), d_model=32, d_ff=37, d_kv=8, num_layers=1, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    ))
    pipe = LTXConditionPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text_encoder,
                                tokenizer=tokenizer, transformer=transformer)
    target = folder / "tiny-ltx"
    pipe.save_pretrained(target)
    return target
