"""The released video models' architectures, built at full size with random weights for `gpu-check --real-size`.

The config values come from the released checkpoints (each block says where); weights are random, made directly on
the device (the GPU machine has no network), so the arithmetic and memory are those of the real model.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

TEXT_LAYERS = 2
"""Layers of each text / image encoder: the released width, two layers (the full T5-XXL, Gemma 3 12B and
CLIP ViT-H would add minutes of building and tens of GB for one prompt encoding)."""

# --- Released configs -------------------------------------------------------------------------------------------
# LTX-Video 0.9.5 (2B) and 0.9.7 (13B): diffusers scripts/convert_ltx_to_diffusers.py, get_transformer_config
# ("0.9.7" branch for 13B, the other branch for 2B) and get_vae_config("0.9.5") / ("0.9.7"), identical VAEs.
LTX_2B_TRANSFORMER = dict(
    in_channels=128, out_channels=128, patch_size=1, patch_size_t=1, num_attention_heads=32, attention_head_dim=64,
    cross_attention_dim=2048, num_layers=28, activation_fn="gelu-approximate", qk_norm="rms_norm_across_heads",
    norm_elementwise_affine=False, norm_eps=1e-6, caption_channels=4096, attention_bias=True, attention_out_bias=True,
)
LTX_13B_TRANSFORMER = {**LTX_2B_TRANSFORMER, "attention_head_dim": 128, "cross_attention_dim": 4096, "num_layers": 48}
LTX_095_VAE = dict(
    in_channels=3, out_channels=3, latent_channels=128, block_out_channels=(128, 256, 512, 1024, 2048),
    down_block_types=("LTXVideo095DownBlock3D",) * 4, decoder_block_out_channels=(256, 512, 1024),
    layers_per_block=(4, 6, 6, 2, 2), decoder_layers_per_block=(5, 5, 5, 5),
    spatio_temporal_scaling=(True, True, True, True), decoder_spatio_temporal_scaling=(True, True, True),
    decoder_inject_noise=(False, False, False, False), downsample_type=("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    upsample_residual=(True, True, True), upsample_factor=(2, 2, 2), timestep_conditioning=True, patch_size=4,
    patch_size_t=1, resnet_norm_eps=1e-6, scaling_factor=1.0, encoder_causal=True, decoder_causal=False,
    spatial_compression_ratio=32, temporal_compression_ratio=8,
)
# T5-XXL (google/t5-v1_1-xxl, LTX-Video's text encoder): d_model 4096, d_ff 10240, 64 heads of 64, gated GELU.
T5_XXL = dict(d_model=4096, d_ff=10240, d_kv=64, num_heads=64, feed_forward_proj="gated-gelu",
              relative_attention_num_buckets=32)

# LTX-2 (19B): diffusers scripts/convert_ltx2_to_diffusers.py, version "2.0" of get_ltx2_transformer_config,
# get_ltx2_video_vae_config (timestep_conditioning: the script's default, False), get_ltx2_audio_vae_config,
# get_ltx2_vocoder_config and get_ltx2_connectors_config (text_proj_in_factor set to the small Gemma's layers + 1).
LTX2_TRANSFORMER = dict(
    in_channels=128, out_channels=128, patch_size=1, patch_size_t=1, num_attention_heads=32, attention_head_dim=128,
    cross_attention_dim=4096, vae_scale_factors=(8, 32, 32), pos_embed_max_pos=20, base_height=2048, base_width=2048,
    gated_attn=False, cross_attn_mod=False, audio_in_channels=128, audio_out_channels=128, audio_patch_size=1,
    audio_patch_size_t=1, audio_num_attention_heads=32, audio_attention_head_dim=64, audio_cross_attention_dim=2048,
    audio_scale_factor=4, audio_pos_embed_max_pos=20, audio_sampling_rate=16000, audio_hop_length=160,
    audio_gated_attn=False, audio_cross_attn_mod=False, num_layers=48, activation_fn="gelu-approximate",
    qk_norm="rms_norm_across_heads", norm_elementwise_affine=False, norm_eps=1e-6, caption_channels=3840,
    attention_bias=True, attention_out_bias=True, rope_theta=10000.0, rope_double_precision=True, causal_offset=1,
    timestep_scale_multiplier=1000, cross_attn_timestep_scale_multiplier=1000, rope_type="split",
    use_prompt_embeddings=True, perturbed_attn=False,
)
LTX2_VAE = dict(
    in_channels=3, out_channels=3, latent_channels=128, block_out_channels=(256, 512, 1024, 2048),
    down_block_types=("LTX2VideoDownBlock3D",) * 4, decoder_block_out_channels=(256, 512, 1024),
    layers_per_block=(4, 6, 6, 2, 2), decoder_layers_per_block=(5, 5, 5, 5),
    spatio_temporal_scaling=(True, True, True, True), decoder_spatio_temporal_scaling=(True, True, True),
    decoder_inject_noise=(False, False, False, False), downsample_type=("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    upsample_type=("spatiotemporal", "spatiotemporal", "spatiotemporal"), upsample_residual=(True, True, True),
    upsample_factor=(2, 2, 2), timestep_conditioning=False, patch_size=4, patch_size_t=1, resnet_norm_eps=1e-6,
    encoder_causal=True, decoder_causal=False, encoder_spatial_padding_mode="zeros",
    decoder_spatial_padding_mode="reflect", spatial_compression_ratio=32, temporal_compression_ratio=8,
)
LTX2_AUDIO_VAE = dict(
    base_channels=128, output_channels=2, ch_mult=(1, 2, 4), num_res_blocks=2, attn_resolutions=None, in_channels=2,
    resolution=256, latent_channels=8, norm_type="pixel", causality_axis="height", dropout=0.0,
    mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=64, double_z=True,
)
LTX2_VOCODER = dict(
    in_channels=128, hidden_channels=1024, out_channels=2, upsample_kernel_sizes=[16, 15, 8, 4, 4],
    upsample_factors=[6, 5, 2, 2, 2], resnet_kernel_sizes=[3, 7, 11], resnet_dilations=[[1, 3, 5]] * 3,
    act_fn="leaky_relu", leaky_relu_negative_slope=0.1, antialias=False, final_act_fn="tanh", final_bias=True,
    output_sampling_rate=24000,
)
LTX2_CONNECTORS = dict(
    caption_channels=3840, text_proj_in_factor=TEXT_LAYERS + 1, video_connector_num_attention_heads=30,
    video_connector_attention_head_dim=128, video_connector_num_layers=2, video_connector_num_learnable_registers=128,
    video_gated_attn=False, audio_connector_num_attention_heads=30, audio_connector_attention_head_dim=128,
    audio_connector_num_layers=2, audio_connector_num_learnable_registers=128, audio_gated_attn=False,
    connector_rope_base_seq_len=4096, rope_theta=10000.0, rope_double_precision=True, causal_temporal_positioning=False,
    rope_type="split", per_modality_projections=False, proj_bias=False,
)
# Gemma 3 12B (LTX-2's text encoder) text config: hidden 3840, MLP 15360, 16 heads (8 KV) of 256.
GEMMA3_12B = dict(hidden_size=3840, intermediate_size=15360, num_attention_heads=16, num_key_value_heads=8, head_dim=256)

# Stable Video Diffusion XT: stabilityai/stable-video-diffusion-img2vid-xt unet/config.json and vae/config.json
# (the UNet's are diffusers' UNetSpatioTemporalConditionModel defaults; scripts/convert_svd_to_diffusers.py derives
# the same from the SGM config); its image encoder is CLIP ViT-H/14 (width 1280, projection 1024).
SVD_XT_UNET = dict(
    sample_size=96, in_channels=8, out_channels=4,
    down_block_types=("CrossAttnDownBlockSpatioTemporal",) * 3 + ("DownBlockSpatioTemporal",),
    up_block_types=("UpBlockSpatioTemporal",) + ("CrossAttnUpBlockSpatioTemporal",) * 3,
    block_out_channels=(320, 640, 1280, 1280), addition_time_embed_dim=256, projection_class_embeddings_input_dim=768,
    layers_per_block=2, cross_attention_dim=1024, transformer_layers_per_block=1, num_attention_heads=(5, 10, 20, 20),
    num_frames=25,
)
SVD_VAE = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
               block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4, sample_size=768,
               scaling_factor=0.18215, force_upcast=True)
CLIP_VIT_H = dict(hidden_size=1280, intermediate_size=5120, num_attention_heads=16, patch_size=14, image_size=224,
                  projection_dim=1024)

# AnimateDiff on SD 1.5: stable-diffusion-v1-5/stable-diffusion-v1-5 unet/config.json and vae/config.json;
# guoyww/animatediff-motion-adapter-v1-5-2 config.json (a v2 module: motion mid block, 32 positions;
# scripts/convert_animatediff_motion_module_to_diffusers.py --use_motion_mid_block). Text encoder: CLIP ViT-L/14.
SD15_UNET = dict(
    sample_size=64, in_channels=4, out_channels=4, block_out_channels=(320, 640, 1280, 1280), layers_per_block=2,
    down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3, cross_attention_dim=768, attention_head_dim=8,
    norm_num_groups=32,
)
SD15_VAE = dict(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512),
                layers_per_block=2, down_block_types=("DownEncoderBlock2D",) * 4,
                up_block_types=("UpDecoderBlock2D",) * 4, sample_size=512)
MOTION_ADAPTER_V152 = dict(
    block_out_channels=(320, 640, 1280, 1280), motion_layers_per_block=2, motion_mid_block_layers_per_block=1,
    motion_num_attention_heads=8, motion_norm_num_groups=32, motion_max_seq_length=32, use_motion_mid_block=True,
)
CLIP_VIT_L_TEXT = dict(hidden_size=768, intermediate_size=3072, num_attention_heads=12, max_position_embeddings=77)

DENOISERS: dict[str, tuple[str, dict]] = {
    "ltx-video-2b": ("LTXVideoTransformer3DModel", LTX_2B_TRANSFORMER),
    "ltx-video-2b-distilled": ("LTXVideoTransformer3DModel", LTX_2B_TRANSFORMER),  # 0.9.8 2B: the 0.9.5 architecture
    "ltx-video-13b": ("LTXVideoTransformer3DModel", LTX_13B_TRANSFORMER),
    "ltx-2": ("LTX2VideoTransformer3DModel", LTX2_TRANSFORMER),
    "svd-xt": ("UNetSpatioTemporalConditionModel", SVD_XT_UNET),
    "animatediff-camera": ("UNet2DConditionModel", SD15_UNET),
}
"""Each preset's denoiser: diffusers class and released config."""


# --- Building ---------------------------------------------------------------------------------------------------
def build(model_class: type, config: object, device: str, *, dtype: object = None, std: float = 0.02) -> object:
    """`model_class(config)` with random weights made on `device` ("meta": shapes only, no memory).

    As diffusers' from_pretrained does, parameters are created empty (accelerate's init_empty_weights) and
    buffers as the constructor makes them; each parameter then gets random values on `device`: matrices
    N(0, std), 1-D weights (norm scales) 1, biases 0, so nothing overflows to NaN in bf16."""
    import torch
    from accelerate import init_empty_weights

    arguments = (config,) if not isinstance(config, dict) else ()
    keywords = config if isinstance(config, dict) else {}
    if device == "meta":
        with torch.device("meta"):
            return model_class(*arguments, **keywords)
    with init_empty_weights(include_buffers=False):
        model = model_class(*arguments, **keywords)
    if dtype is not None:
        model.to(dtype)
    for module in model.modules():
        for name, parameter in list(module._parameters.items()):
            if parameter is None:
                continue
            data = torch.empty(parameter.shape, dtype=parameter.dtype, device=device)
            if data.dim() >= 2:
                data.normal_(0.0, std)
            else:
                data.fill_(1.0 if name == "weight" else 0.0)
            module._parameters[name] = torch.nn.Parameter(data, requires_grad=False)
    return model.to(device).eval()


def parameter_count(model: object) -> int:
    return sum(parameter.numel() for parameter in model.parameters())


def denoiser(preset: str, device: str = "meta", dtype: object = None) -> object:
    """The preset's released denoiser (transformer or UNet), random weights on `device`."""
    from studio.backends.loading import imported

    class_name, config = DENOISERS[preset]
    return build(imported(class_name), config, device, dtype=dtype)


def motion_adapter(device: str = "meta", dtype: object = None) -> object:
    from diffusers import MotionAdapter

    return build(MotionAdapter, MOTION_ADAPTER_V152, device, dtype=dtype)


def _word_tokenizer(max_length: int):
    """A T5 (Unigram) tokenizer over the studio's tiny word list (studio.testing.tiny)."""
    from studio.testing.tiny import build_tokenizer

    with tempfile.TemporaryDirectory() as folder:
        tokenizer = build_tokenizer(Path(folder))
    tokenizer.model_max_length = max_length
    return tokenizer


def _gemma_tokenizer():
    """A word-level Gemma-style tokenizer (pad, eos, bos, unk) over the same words, as build_tiny_ltx2 makes."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from studio.testing.tiny import WORDS

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3}
    vocab |= {word: index + len(vocab) for index, word in enumerate(dict.fromkeys(WORDS.split()))}
    words = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=words, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>",
                                   unk_token="<unk>")


def build_pipeline(preset: str, device: str, dtype: object) -> object:
    """The preset's family pipeline class over released-size parts with random weights, on `device`."""
    import torch
    import transformers
    from diffusers import FlowMatchEulerDiscreteScheduler

    from studio.backends.families import family_spec
    from studio.backends.loading import imported
    from studio.presets import load_preset

    family = family_spec(load_preset(preset).family)
    pipeline_class = imported(family.pipeline_class)
    main = denoiser(preset, device, dtype)
    if family.name == "ltx-video":
        from diffusers import AutoencoderKLLTXVideo

        tokenizer = _word_tokenizer(128)
        text_encoder = build(transformers.T5EncoderModel, transformers.T5Config(
            vocab_size=len(tokenizer), num_layers=TEXT_LAYERS, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
            **T5_XXL), device, dtype=dtype)
        return pipeline_class(scheduler=FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=False),
                              vae=build(AutoencoderKLLTXVideo, LTX_095_VAE, device, dtype=dtype), text_encoder=text_encoder,
                              tokenizer=tokenizer, transformer=main)
    if family.name == "ltx-2":
        from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video
        from diffusers.pipelines.ltx2 import LTX2TextConnectors
        from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

        tokenizer = _gemma_tokenizer()
        size = len(tokenizer)
        text = transformers.Gemma3TextConfig(vocab_size=size + 3, num_hidden_layers=TEXT_LAYERS,
                                             max_position_embeddings=1024, sliding_window=1024, **GEMMA3_12B)
        vision = transformers.SiglipVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                                 num_attention_heads=2, image_size=32, patch_size=8)
        text_encoder = build(transformers.Gemma3ForConditionalGeneration, transformers.Gemma3Config(
            text_config=text, vision_config=vision, mm_tokens_per_image=4, boi_token_index=size,
            eoi_token_index=size + 1, image_token_index=size + 2), device, dtype=dtype)
        scheduler = FlowMatchEulerDiscreteScheduler(  # convert_ltx2_to_diffusers.py, the full (non-distilled) model
            use_dynamic_shifting=True, base_shift=0.95, max_shift=2.05, base_image_seq_len=1024, max_image_seq_len=4096,
            shift_terminal=0.1)
        return pipeline_class(
            scheduler=scheduler, vae=build(AutoencoderKLLTX2Video, LTX2_VAE, device, dtype=dtype),
            audio_vae=build(AutoencoderKLLTX2Audio, LTX2_AUDIO_VAE, device, dtype=dtype), text_encoder=text_encoder,
            tokenizer=tokenizer, connectors=build(LTX2TextConnectors, LTX2_CONNECTORS, device, dtype=dtype),
            transformer=main, vocoder=build(LTX2Vocoder, LTX2_VOCODER, device, dtype=dtype))
    if family.name == "stable-video-diffusion":
        from diffusers import AutoencoderKLTemporalDecoder, EulerDiscreteScheduler

        image_encoder = build(transformers.CLIPVisionModelWithProjection, transformers.CLIPVisionConfig(
            num_hidden_layers=TEXT_LAYERS, **CLIP_VIT_H), device, dtype=dtype)
        scheduler = EulerDiscreteScheduler(  # the repo's scheduler/scheduler_config.json (as studio.testing.tiny)
            beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
            num_train_timesteps=1000, prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002, steps_offset=1,
            timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True)
        return pipeline_class(vae=build(AutoencoderKLTemporalDecoder, SVD_VAE, device, dtype=dtype),
                              image_encoder=image_encoder, unet=main, scheduler=scheduler,
                              feature_extractor=transformers.CLIPImageProcessor())
    if family.name == "animatediff":
        from diffusers import AutoencoderKL, DDIMScheduler

        tokenizer = _word_tokenizer(77)
        text_encoder = build(transformers.CLIPTextModel, transformers.CLIPTextConfig(
            bos_token_id=0, eos_token_id=1, pad_token_id=0, vocab_size=len(tokenizer), num_hidden_layers=TEXT_LAYERS,
            **CLIP_VIT_L_TEXT), device, dtype=dtype)
        scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="linear", clip_sample=False,
                                  timestep_spacing="linspace", steps_offset=1)  # the AnimateDiff docs' scheduler
        parts = dict(vae=build(AutoencoderKL, SD15_VAE, device, dtype=dtype), text_encoder=text_encoder,
                     tokenizer=tokenizer, motion_adapter=motion_adapter(device, dtype), scheduler=scheduler)
        with torch.device(device):  # the pipeline merges UNet and adapter into a UNetMotionModel: make it there too
            return pipeline_class(unet=main, **parts)
    raise ValueError(f"no real-size build for preset {preset!r} ({family.name}); it builds {', '.join(DENOISERS)}")
