"""Tiny random-weight LTX-Video, LTX-2, SVD, AnimateDiff and Wan FLF2V pipelines (the LTX ones with a latent
upsampler) and a tiny Depth Anything model, built and saved locally (no hub access), for tests and `bench --tiny`.

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
    save_tiny_upsampler(target, "ltx-video", latent_channels=8)
    return target


# diffusers' LTX transformer names -> the names in Lightricks' single-file checkpoints (diffusers' single-file
# converter maps them back: convert_ltx_transformer_checkpoint_to_diffusers).
_LTX_ORIGINAL_NAMES = {"proj_in": "patchify_proj", "time_embed": "adaln_single", "norm_q": "q_norm", "norm_k": "k_norm"}


def save_tiny_ltx_checkpoint(pipeline_folder: Path, target: Path, seed: int = 1) -> Path:
    """A single-file LTX-Video checkpoint as Lightricks publish them (tensors under model.diffusion_model., their
    original names), holding a transformer of the tiny pipeline's shape with other random weights (`seed`), as a
    distilled checkpoint replaces its base model's transformer. No VAE: the base folder gives that."""
    import torch
    from diffusers import LTXVideoTransformer3DModel
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    transformer = LTXVideoTransformer3DModel.from_config(LTXVideoTransformer3DModel.load_config(pipeline_folder / "transformer"))
    tensors = {}
    for name, tensor in transformer.state_dict().items():
        for ours, original in _LTX_ORIGINAL_NAMES.items():
            name = name.replace(ours, original)
        tensors[f"model.diffusion_model.{name}"] = tensor.contiguous()
    target.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(target))
    return target


def save_tiny_upsampler(pipeline_folder: Path, family: str, latent_channels: int) -> Path:
    """A tiny latent x2 upsampler in `pipeline_folder`/latent_upsampler, where a full LTX repo keeps its own."""
    import torch
    from diffusers.pipelines.ltx.modeling_latent_upsampler import LTXLatentUpsamplerModel
    from diffusers.pipelines.ltx2.latent_upsampler import LTX2LatentUpsamplerModel

    torch.manual_seed(0)
    model_class = LTX2LatentUpsamplerModel if family == "ltx-2" else LTXLatentUpsamplerModel
    upsampler = model_class(in_channels=latent_channels, mid_channels=32, num_blocks_per_stage=1)
    upsampler.save_pretrained(pipeline_folder / "latent_upsampler")
    return pipeline_folder / "latent_upsampler"


def build_tiny_svd(folder: Path) -> Path:
    """A tiny Stable Video Diffusion pipeline (sizes from diffusers' fast tests)."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 64), layers_per_block=2, sample_size=32, in_channels=8, out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=32, num_attention_heads=8, projection_class_embeddings_input_dim=96, addition_time_embed_dim=32,
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
        num_train_timesteps=1000, prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002, steps_offset=1,
        timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=[32, 64], in_channels=3, out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"], latent_channels=4,
    )
    torch.manual_seed(0)
    image_encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        # PIL inputs reach CLIP at 224x224, as with real SVD; 32-pixel patches keep it tiny.
        hidden_size=32, projection_dim=32, num_hidden_layers=2, num_attention_heads=4, image_size=224,
        intermediate_size=37, patch_size=32,
    ))
    pipe = StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet, scheduler=scheduler,
        feature_extractor=CLIPImageProcessor(crop_size=32, size=32),
    )
    target = folder / "tiny-svd"
    pipe.save_pretrained(target)
    return target


def build_tiny_ltx2(folder: Path) -> Path:
    """A tiny LTX-2 condition pipeline (video + audio branches, a 2-layer Gemma 3 text encoder, a word-level
    tokenizer made here), saved with `save_pretrained`; sizes follow diffusers' own fast LTX-2 tests."""
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2ConditionPipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        Gemma3Config,
        Gemma3ForConditionalGeneration,
        Gemma3TextConfig,
        PreTrainedTokenizerFast,
        SiglipVisionConfig,
    )

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3}
    vocab |= {word: index + len(vocab) for index, word in enumerate(dict.fromkeys(WORDS.split()))}
    words = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=words, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>",
                                        unk_token="<unk>")
    width = 16  # the text encoder's hidden size, which the connectors and the transformer take as caption channels
    text = Gemma3TextConfig(vocab_size=len(vocab) + 3, hidden_size=width, intermediate_size=32, num_hidden_layers=2,
                            num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=256,
                            sliding_window=16)
    vision = SiglipVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                                image_size=32, patch_size=8)
    torch.manual_seed(0)
    text_encoder = Gemma3ForConditionalGeneration(Gemma3Config(
        text_config=text, vision_config=vision, mm_tokens_per_image=4,
        boi_token_index=len(vocab), eoi_token_index=len(vocab) + 1, image_token_index=len(vocab) + 2))
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=width, rope_double_precision=False, rope_type="split")
    connectors = LTX2TextConnectors(
        caption_channels=width, text_proj_in_factor=text.num_hidden_layers + 1,
        video_connector_num_attention_heads=2, video_connector_attention_head_dim=8, video_connector_num_layers=1,
        video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=2,
        audio_connector_attention_head_dim=8, audio_connector_num_layers=1, audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32, rope_theta=10000.0, rope_double_precision=False, causal_temporal_positioning=False,
        rope_type="split")
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False), downsample_type=("spatial",),
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=4, patch_size_t=1,
        encoder_causal=True, decoder_causal=False)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8)
    vocoder = LTX2Vocoder(
        in_channels=2 * 8, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4], upsample_factors=[2, 2],
        resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]], leaky_relu_negative_slope=0.1, output_sampling_rate=16000)
    pipeline = LTX2ConditionPipeline(  # dynamic shifting as in LTX-2's own scheduler config
        scheduler=FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=True), vae=vae, audio_vae=audio_vae, text_encoder=text_encoder,
        tokenizer=tokenizer, connectors=connectors, transformer=transformer, vocoder=vocoder)
    target = folder / "tiny-ltx2"
    pipeline.save_pretrained(target)
    save_tiny_upsampler(target, "ltx-2", latent_channels=4)
    save_tiny_refine_lora(target, pipeline)
    return target


def save_tiny_refine_lora(pipeline_folder: Path, pipeline: object) -> Path:
    """A random LoRA saved where a local copy of Lightricks/LTX-2 keeps its distilled refine LoRA (same file
    name), so the `ltx-2` preset's two-stage recipe finds it."""
    from studio.presets import load_preset

    return save_tiny_lora(pipeline_folder, pipeline, load_preset("ltx-2").sampling.refine.lora_weight_name)


def save_tiny_lora(folder: Path, pipeline: object, weight_name: str, seed: int = 0) -> Path:
    """A random rank-4 LoRA over the tiny transformer's attention, saved as `folder/weight_name` (a released LoRA's
    file name, so the studio finds it as it would the real one)."""
    import torch
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    transformer = pipeline.transformer
    torch.manual_seed(seed)
    transformer.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"],
                                       init_lora_weights=False))  # random, so the LoRA visibly changes the result
    weights = get_peft_model_state_dict(transformer)
    transformer.delete_adapters("default")
    type(pipeline).save_lora_weights(folder, transformer_lora_layers=weights, weight_name=weight_name)
    return folder / weight_name


def build_tiny_animatediff(folder: Path) -> dict[str, Path]:
    """Tiny random-weight AnimateDiff pipelines, both modes (sizes from diffusers' fast AnimateDiff tests): an
    SD 1.5-shaped UNet, VAE and CLIP text encoder with a motion adapter, saved once as
    AnimateDiffSparseControlNetPipeline (with a SparseCtrl RGB-shaped controlnet: VAE latents in, mask
    concatenated, as guoyww/animatediff-sparsectrl-rgb) and once as AnimateDiffPipeline. {family: folder}."""
    import torch
    from diffusers import (
        AnimateDiffPipeline,
        AnimateDiffSparseControlNetPipeline,
        AutoencoderKL,
        DDIMScheduler,
        MotionAdapter,
        SparseControlNetModel,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    tokenizer = build_tokenizer(folder / "scratch")
    tokenizer.model_max_length = 16
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=2, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, norm_num_groups=2,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=[32, 64], in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=2,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"], up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=0, hidden_size=32, intermediate_size=37, num_attention_heads=4,
        num_hidden_layers=2, vocab_size=len(tokenizer), max_position_embeddings=tokenizer.model_max_length,
    ))
    torch.manual_seed(0)
    adapter = MotionAdapter(block_out_channels=(32, 64), motion_layers_per_block=2, motion_norm_num_groups=2,
                            motion_num_attention_heads=4)
    torch.manual_seed(0)
    controlnet = SparseControlNetModel(
        block_out_channels=(32, 64), layers_per_block=2, in_channels=4, conditioning_channels=4,
        down_block_types=("CrossAttnDownBlockMotion", "DownBlockMotion"), cross_attention_dim=32,
        conditioning_embedding_out_channels=(8, 8), norm_num_groups=2,
        motion_num_attention_heads=4, use_simplified_condition_embedding=True, concat_conditioning_mask=True,
    )
    # The scheduler of the AnimateDiff docs: DDIM, linear betas, no sample clipping.
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="linear", clip_sample=False,
                              timestep_spacing="linspace", steps_offset=1)
    parts = {"vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer, "scheduler": scheduler}
    sparse = AnimateDiffSparseControlNetPipeline(unet=unet, motion_adapter=adapter, controlnet=controlnet, **parts)
    sparse.save_pretrained(folder / "tiny-animatediff-sparsectrl")
    AnimateDiffPipeline(unet=unet, motion_adapter=adapter, **parts).save_pretrained(folder / "tiny-animatediff")
    return {"animatediff-sparsectrl": folder / "tiny-animatediff-sparsectrl", "animatediff": folder / "tiny-animatediff"}


def save_tiny_motion_lora(folder: Path, pipeline: object, weight_name: str, seed: int = 0) -> Path:
    """A random rank-4 LoRA over the tiny UNet's motion modules only (where AnimateDiff's motion LoRAs act),
    saved as `folder/weight_name` through the pipeline's own LoRA saver."""
    import torch
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = pipeline.unet
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False,
                                target_modules=r".*motion_modules.*\.(to_q|to_k|to_v|to_out\.0)"))
    weights = get_peft_model_state_dict(unet)
    unet.delete_adapters("default")
    folder.mkdir(parents=True, exist_ok=True)
    type(pipeline).save_lora_weights(folder, unet_lora_layers=weights, weight_name=weight_name)
    return folder / weight_name


def build_tiny_wan_flf2v(folder: Path) -> Path:
    """A tiny Wan 2.1 FLF2V pipeline (WanImageToVideoPipeline; sizes from diffusers' fast FLF2V tests): a 2-layer
    transformer whose image position embedding spans two images' CLIP tokens, as the released FLF2V transformer's
    (pos_embed_seq_len 2 x 257) does, so it too needs a last image; Wan's VAE (time 4x, space 8x), a UMT5 encoder of
    width 32, a CLIP vision encoder on 4x4 images and UniPC with flow shift 16, as the release saves them."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanImageToVideoPipeline, WanTransformer3DModel
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel, UMT5Config, UMT5EncoderModel

    from studio.backends.wan import FLOW_SHIFT

    tokenizer = build_tokenizer(folder / "scratch")
    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(UMT5Config(
        vocab_size=len(tokenizer), d_model=32, d_ff=37, d_kv=8, num_layers=1, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    ))
    clip = CLIPVisionConfig(hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=4,
                            intermediate_size=16, patch_size=1)
    image_tokens = (clip.image_size // clip.patch_size) ** 2 + 1  # the patches and the class token
    torch.manual_seed(0)
    image_encoder = CLIPVisionModel(clip)
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, image_dim=clip.hidden_size, pos_embed_seq_len=2 * image_tokens,
    )
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                        num_train_timesteps=1000, flow_shift=FLOW_SHIFT)
    pipeline = WanImageToVideoPipeline(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, scheduler=scheduler,
        image_processor=CLIPImageProcessor(crop_size=clip.image_size, size=clip.image_size),
        image_encoder=image_encoder, transformer=transformer,
    )
    target = folder / "tiny-wan-flf2v"
    pipeline.save_pretrained(target)
    return target


def build_tiny_depth_anything(folder: Path) -> Path:
    """A tiny random-weight Depth Anything (a 4-layer, 16-wide DINOv2 backbone at 56 px) with its DPT image
    processor, saved as a folder that `AutoModelForDepthEstimation` and `AutoImageProcessor` load as they load
    depth-anything/Depth-Anything-V2-Small-hf."""
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessorPil

    backbone = Dinov2Config(image_size=56, patch_size=14, hidden_size=16, num_hidden_layers=4, num_attention_heads=2,
                            intermediate_size=32, out_features=["stage1", "stage2", "stage3", "stage4"],
                            reshape_hidden_states=False)
    config = DepthAnythingConfig(backbone_config=backbone, patch_size=14, reassemble_hidden_size=16,
                                 neck_hidden_sizes=[8, 8, 8, 8], fusion_hidden_size=8, head_hidden_size=8)
    torch.manual_seed(0)
    target = folder / "tiny-depth-anything"
    DepthAnythingForDepthEstimation(config).save_pretrained(target)
    # The real model's processor settings (aspect kept, sides multiples of 14), at 56 px instead of 518.
    DPTImageProcessorPil(size={"height": 56, "width": 56}, keep_aspect_ratio=True, ensure_multiple_of=14,
                         resample=3, image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]).save_pretrained(target)
    return target
