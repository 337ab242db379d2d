"""Real-world model names with known truth: kind, family and capabilities must come out right.

Each row is (folder, name, size in bytes or None, kind, family, capabilities) for one real file name, drawn from
ComfyUI's workflow templates (the family is that of the Comfy-Org / vendor HF repo the template downloads from),
ComfyUI-Manager's model-list.json (its ``type`` gives the kind, ``base`` the family, ``size`` the bytes), the
object_info dropdowns of real servers in ../shared/corpus, and published download scripts / HF repos (Kijai
WanVideo_comfy, city96 / QuantStack GGUF, Lightricks LTX, Comfy-Org repackaged). Sizes are given where the server
would report them (GGUF files get none). Rows marked "(fixed)" were misclassified before the rule tables learned
the token that identifies them.

Conventions: LoRAs / ControlNets / IP-Adapters / embeddings get their base family and no capabilities; shared
components (t5xxl, clip_l, umt5, qwen_2.5_vl, clip_vision_h) keep "" unless a name or subfolder ties them to one
family; still-image generators are text_to_image, edit / inpaint / fill / refiner models image_to_image only.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import comfyframe as cf

GIB = 2**30

# (folder, name, size_bytes | None, kind, family, ";"-joined capabilities)
ROWS: list[tuple[str, str, int | None, str, str, str]] = [
    ('audio_encoders', 'wav2vec2_large_english_fp16.safetensors', None, 'audio_encoder', '', ''),  # template
    ('audio_encoders', 'whisper_large_v3_fp16.safetensors', None, 'audio_encoder', '', ''),  # template
    ('checkpoints', '512-inpainting-ema.safetensors', None, 'checkpoint', 'sd2', 'image_to_image'),  # template
    ('checkpoints', 'DreamShaper_8_pruned.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # template
    ('checkpoints', 'NetaYumev35_pretrained_all_in_one.safetensors', None, 'checkpoint', 'lumina2', 'text_to_image'),  # template
    ('checkpoints', 'ace_step_v1_3.5b.safetensors', None, 'checkpoint', 'ace_step', 'text_to_audio'),  # template
    ('checkpoints', 'dreamshaper_8.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # template
    ('checkpoints', 'flux1-dev-fp8.safetensors', None, 'checkpoint', 'flux1', 'text_to_image'),  # template
    ('checkpoints', 'flux1-schnell-fp8.safetensors', None, 'checkpoint', 'flux1', 'text_to_image'),  # template
    ('checkpoints', 'hunyuan3d-dit-v2-mv-turbo_fp16.safetensors', None, 'checkpoint', '', ''),  # template
    ('checkpoints', 'hunyuan3d-dit-v2-mv_fp16.safetensors', None, 'checkpoint', '', ''),  # template
    ('checkpoints', 'hunyuan3d-dit-v2_fp16.safetensors', None, 'checkpoint', '', ''),  # template
    ('checkpoints', 'hunyuan_3d_v2.1.safetensors', None, 'checkpoint', '', ''),  # template
    ('checkpoints', 'ltx-video-2b-v0.9.5.safetensors', None, 'checkpoint', 'ltxv', 'image_to_video;text_to_video'),  # template
    ('checkpoints', 'ltx-video-2b-v0.9.safetensors', None, 'checkpoint', 'ltxv', 'image_to_video;text_to_video'),  # template
    ('checkpoints', 'majicmixRealistic_v7.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # template
    ('checkpoints', 'sd3.5_large_fp8_scaled.safetensors', None, 'checkpoint', 'sd3', 'text_to_image'),  # template
    ('checkpoints', 'sd_xl_base_1.0.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # template
    ('checkpoints', 'sd_xl_refiner_1.0.safetensors', None, 'checkpoint', 'sdxl', 'image_to_image'),  # template
    ('checkpoints', 'sd_xl_turbo_1.0_fp16.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # template
    ('checkpoints', 'stable-audio-open-1.0.safetensors', None, 'checkpoint', 'stable_audio', 'text_to_audio'),  # template
    ('checkpoints', 'svd.safetensors', None, 'checkpoint', 'svd', 'image_to_video'),  # template
    ('checkpoints', 'svd_xt.safetensors', None, 'checkpoint', 'svd', 'image_to_video'),  # template
    ('checkpoints', 'v1-5-pruned-emaonly-fp16.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # template
    ('checkpoints', 'v2-1_768-ema-pruned.safetensors', None, 'checkpoint', 'sd2', 'text_to_image'),  # template
    ('clip_vision', 'clip_vision_g.safetensors', None, 'clip_vision', '', ''),  # template
    ('clip_vision', 'clip_vision_h.safetensors', None, 'clip_vision', '', ''),  # template
    ('clip_vision', 'sigclip_vision_patch14_384.safetensors', None, 'clip_vision', '', ''),  # template
    ('controlnet', 'Qwen-Image-InstantX-ControlNet-Inpainting.safetensors', None, 'controlnet', 'qwen_image', ''),  # template
    ('controlnet', 'Qwen-Image-InstantX-ControlNet-Union.safetensors', None, 'controlnet', 'qwen_image', ''),  # template
    ('controlnet', 'control_v11f1p_sd15_depth_fp16.safetensors', None, 'controlnet', 'sd15', ''),  # template
    ('controlnet', 'control_v11p_sd15_openpose_fp16.safetensors', None, 'controlnet', 'sd15', ''),  # template
    ('controlnet', 'control_v11p_sd15_scribble_fp16.safetensors', None, 'controlnet', 'sd15', ''),  # template
    ('controlnet', 'sd3.5_large_controlnet_blur.safetensors', None, 'controlnet', 'sd3', ''),  # template
    ('controlnet', 'sd3.5_large_controlnet_canny.safetensors', None, 'controlnet', 'sd3', ''),  # template
    ('controlnet', 'sd3.5_large_controlnet_depth.safetensors', None, 'controlnet', 'sd3', ''),  # template
    ('controlnet', 't2iadapter_depth_sd15v2.safetensors', None, 'controlnet', 'sd15', ''),  # template
    ('diffusion_models', 'Chroma1-HD-fp8_scaled_rev2.safetensors', None, 'diffusion_model', 'chroma', 'text_to_image'),  # template
    ('diffusion_models', 'Chroma1-Radiance-v0.3.safetensors', None, 'diffusion_model', 'chroma', 'text_to_image'),  # template
    ('diffusion_models', 'Wan2_1-I2V-ATI-14B_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # template
    ('diffusion_models', 'Wan2_2-Animate-14B_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'flux.1-fill-dev-OneReward-transformer_fp8.safetensors', None, 'diffusion_model', 'flux1', 'image_to_image'),  # template
    ('diffusion_models', 'flux1-canny-dev.safetensors', None, 'diffusion_model', 'flux1', 'image_to_image'),  # template
    ('diffusion_models', 'flux1-dev-fp8.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # template
    ('diffusion_models', 'flux1-dev-kontext_fp8_scaled.safetensors', None, 'diffusion_model', 'flux1', 'image_to_image'),  # template
    ('diffusion_models', 'flux1-dev.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # template
    ('diffusion_models', 'flux1-fill-dev.safetensors', None, 'diffusion_model', 'flux1', 'image_to_image'),  # template
    ('diffusion_models', 'flux1-krea-dev_fp8_scaled.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # template
    ('diffusion_models', 'flux1-schnell.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # template
    ('diffusion_models', 'flux2_dev_fp8mixed.safetensors', None, 'diffusion_model', 'flux2', 'text_to_image'),  # template
    ('diffusion_models', 'hidream_e1_1_bf16.safetensors', None, 'diffusion_model', 'hidream', 'image_to_image'),  # template
    ('diffusion_models', 'hidream_e1_full_bf16.safetensors', None, 'diffusion_model', 'hidream', 'image_to_image'),  # template
    ('diffusion_models', 'hidream_i1_dev_fp8.safetensors', None, 'diffusion_model', 'hidream', 'text_to_image'),  # template
    ('diffusion_models', 'hidream_i1_fast_fp8.safetensors', None, 'diffusion_model', 'hidream', 'text_to_image'),  # template
    ('diffusion_models', 'hidream_i1_full_fp8.safetensors', None, 'diffusion_model', 'hidream', 'text_to_image'),  # template
    ('diffusion_models', 'hunyuan_video_t2v_720p_bf16.safetensors', None, 'diffusion_model', 'hunyuan_video', 'text_to_video'),  # template
    ('diffusion_models', 'hunyuanvideo1.5_720p_i2v_fp16.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # template
    ('diffusion_models', 'hunyuanvideo1.5_720p_t2v_fp16.safetensors', None, 'diffusion_model', 'hunyuan_video', 'text_to_video'),  # template
    ('diffusion_models', 'mochi_preview_bf16.safetensors', None, 'diffusion_model', 'mochi', 'text_to_video'),  # template
    ('diffusion_models', 'omnigen2_fp16.safetensors', None, 'diffusion_model', 'omnigen2', 'text_to_image'),  # template
    ('diffusion_models', 'qwen_image_edit_2509_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'qwen_image', 'image_to_image'),  # template
    ('diffusion_models', 'qwen_image_edit_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'qwen_image', 'image_to_image'),  # template
    ('diffusion_models', 'qwen_image_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'qwen_image', 'text_to_image'),  # template
    ('diffusion_models', 'wan2.1_flf2v_720p_14B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.1_fun_camera_v1.1_1.3B_bf16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.1_fun_camera_v1.1_14B_bf16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.1_fun_inp_1.3B_bf16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.1_i2v_480p_14B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.1_t2v_1.3B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'text_to_video'),  # template
    ('diffusion_models', 'wan2.1_t2v_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan21', 'text_to_video'),  # template
    ('diffusion_models', 'wan2.1_vace_1.3B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video;text_to_video'),  # template
    ('diffusion_models', 'wan2.1_vace_14B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video;text_to_video'),  # template
    ('diffusion_models', 'wan2.2_fun_camera_high_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_fun_camera_low_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_fun_inpaint_5B_bf16.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_fun_inpaint_high_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_fun_inpaint_low_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_s2v_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # template
    ('diffusion_models', 'wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'text_to_video'),  # template
    ('diffusion_models', 'wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors', None, 'diffusion_model', 'wan22', 'text_to_video'),  # template
    ('diffusion_models', 'wan2.2_ti2v_5B_fp16.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video;text_to_video'),  # template
    ('diffusion_models', 'z_image_turbo_bf16.safetensors', None, 'diffusion_model', 'lumina2', 'text_to_image'),  # template
    ('gligen', 'gligen_sd14_textbox_pruned.safetensors', None, 'gligen', 'sd15', ''),  # template
    ('latent_upscale_models', 'hunyuanvideo15_latent_upsampler_1080p.safetensors', None, 'latent_upscale', 'hunyuan_video', 'upscale'),  # template
    ('loras', 'Qwen-Image-Edit-2509-Lightning-4steps-V1.0-bf16.safetensors', None, 'lora', 'qwen_image', ''),  # template
    ('loras', 'Qwen-Image-Edit-Lightning-4steps-V1.0-bf16.safetensors', None, 'lora', 'qwen_image', ''),  # template
    ('loras', 'Qwen-Image-Lightning-4steps-V1.0.safetensors', None, 'lora', 'qwen_image', ''),  # template
    ('loras', 'Qwen-Image-Lightning-8steps-V1.0.safetensors', None, 'lora', 'qwen_image', ''),  # template
    ('loras', 'Wan21_CausVid_14B_T2V_lora_rank32.safetensors', None, 'lora', 'wan21', ''),  # template
    ('loras', 'Wan21_CausVid_bidirect2_T2V_1_3B_lora_rank32.safetensors', None, 'lora', 'wan21', ''),  # template
    ('loras', 'WanAnimate_relight_lora_fp16.safetensors', None, 'lora', 'wan22', ''),  # template
    ('loras', 'flux1-depth-dev-lora.safetensors', None, 'lora', 'flux1', ''),  # template
    ('loras', 'lightx2v_I2V_14B_480p_cfg_step_distill_rank64_bf16.safetensors', None, 'lora', 'wan21', ''),  # template
    ('loras', 'lightx2v_T2V_14B_cfg_step_distill_v2_lora_rank64_bf16.safetensors', None, 'lora', 'wan21', ''),  # template
    ('loras', 'qwen_image_union_diffsynth_lora.safetensors', None, 'lora', 'qwen_image', ''),  # template
    ('loras', 'uso-flux1-dit-lora-v1.safetensors', None, 'lora', 'flux1', ''),  # template
    ('loras', 'wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors', None, 'lora', 'wan22', ''),  # template
    ('loras', 'wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors', None, 'lora', 'wan22', ''),  # template
    ('loras', 'wan2.2_t2v_lightx2v_4steps_lora_v1.1_high_noise.safetensors', None, 'lora', 'wan22', ''),  # template
    ('loras', 'wan2.2_t2v_lightx2v_4steps_lora_v1.1_low_noise.safetensors', None, 'lora', 'wan22', ''),  # template
    ('loras', 'wan_alpha_2.1_rgba_lora.safetensors', None, 'lora', 'wan21', ''),  # template
    ('model_patches', 'qwen_image_canny_diffsynth_controlnet.safetensors', None, 'model_patch', 'qwen_image', ''),  # template
    ('model_patches', 'uso-flux1-projector-v1.safetensors', None, 'model_patch', 'flux1', ''),  # template
    ('style_models', 'flux1-redux-dev.safetensors', None, 'style_model', 'flux1', ''),  # template
    ('text_encoders', 'byt5_small_glyphxl_fp16.safetensors', None, 'text_encoder', 'hunyuan_image', ''),  # template
    ('text_encoders', 'clip_g_hidream.safetensors', None, 'text_encoder', 'hidream', ''),  # template
    ('text_encoders', 'clip_l.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 'clip_l_hidream.safetensors', None, 'text_encoder', 'hidream', ''),  # template
    ('text_encoders', 'llama_3.1_8b_instruct_fp8_scaled.safetensors', None, 'text_encoder', 'hidream', ''),  # template
    ('text_encoders', 'llava_llama3_fp8_scaled.safetensors', None, 'text_encoder', 'hunyuan_video', ''),  # template
    ('text_encoders', 'mistral_3_small_flux2_bf16.safetensors', None, 'text_encoder', 'flux2', ''),  # template
    ('text_encoders', 'mistral_3_small_flux2_fp8.safetensors', None, 'text_encoder', 'flux2', ''),  # template
    ('text_encoders', 'qwen_2.5_vl_7b_fp8_scaled.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 'qwen_2.5_vl_fp16.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 'qwen_3_4b.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 't5-base.safetensors', None, 'text_encoder', 'stable_audio', ''),  # template
    ('text_encoders', 't5xxl_fp16.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 't5xxl_fp8_e4m3fn_scaled.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 'umt5_xxl_fp16.safetensors', None, 'text_encoder', '', ''),  # template
    ('text_encoders', 'umt5_xxl_fp8_e4m3fn_scaled.safetensors', None, 'text_encoder', '', ''),  # template
    ('upscale_models', 'RealESRGAN_x4plus.safetensors', None, 'upscale', '', 'upscale'),  # template
    ('vae', 'ae.safetensors', None, 'vae', 'flux1', ''),  # template
    ('vae', 'flux2-vae.safetensors', None, 'vae', 'flux2', ''),  # template
    ('vae', 'hunyuan_video_vae_bf16.safetensors', None, 'vae', 'hunyuan_video', ''),  # template
    ('vae', 'hunyuanvideo15_vae_fp16.safetensors', None, 'vae', 'hunyuan_video', ''),  # template
    ('vae', 'mochi_vae.safetensors', None, 'vae', 'mochi', ''),  # template
    ('vae', 'qwen_image_vae.safetensors', None, 'vae', 'qwen_image', ''),  # template
    ('vae', 'vae-ft-mse-840000-ema-pruned.safetensors', None, 'vae', 'sd15', ''),  # template
    ('vae', 'wan2.2_vae.safetensors', None, 'vae', 'wan22', ''),  # template
    ('vae', 'wan_2.1_vae.safetensors', None, 'vae', 'wan21', ''),  # template
    ('vae', 'wan_alpha_2.1_vae_alpha_channel.safetensors', None, 'vae', 'wan21', ''),  # template
    ('vae', 'wan_alpha_2.1_vae_rgb_channel.safetensors', None, 'vae', 'wan21', ''),  # template
    ('vae_approx', 'taef1_decoder.pth', 4710000, 'vae_approx', 'flux1', ''),  # manager
    ('vae_approx', 'taef1_encoder.pth', 4710000, 'vae_approx', 'flux1', ''),  # manager
    ('vae_approx', 'taesd3_decoder.pth', 4940000, 'vae_approx', 'sd3', ''),  # manager
    ('vae_approx', 'taesd3_encoder.pth', 4940000, 'vae_approx', 'sd3', ''),  # manager
    ('vae_approx', 'taesdxl_decoder.pth', 4910000, 'vae_approx', 'sdxl', ''),  # manager
    ('vae_approx', 'taesdxl_encoder.pth', 4910000, 'vae_approx', 'sdxl', ''),  # manager
    ('vae_approx', 'taesd_decoder.pth', 4910000, 'vae_approx', 'sd15', ''),  # manager
    ('vae_approx', 'taesd_encoder.pth', 4910000, 'vae_approx', 'sd15', ''),  # manager
    ('upscale_models', 'RealESRGAN_x2.pth', 67099999, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', 'RealESRGAN_x4.pth', 67000000, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', 'ESRGAN_4x.pth', 66900000, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', '4x_foolhardy_Remacri.pth', 67000000, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', '4x-AnimeSharp.pth', 67000000, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', '4x-UltraSharp.pth', 67000000, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', '4x_NMKD-Siax_200k.pth', 67000000, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', '8x_NMKD-Superscale_150000_G.pth', 67099999, 'upscale', '', 'upscale'),  # manager
    ('upscale_models', '8x_NMKD-Faces_160000_G.pth', 67200000, 'upscale', '', 'upscale'),  # manager
    ('embeddings', 'negative_hand-neg.pt', 25000, 'embedding', 'sd15', ''),  # manager (fixed)
    ('embeddings', 'bad_prompt_version2-neg.pt', 25000, 'embedding', 'sd15', ''),  # manager
    ('embeddings', 'ng_deepnegative_v1_75t.pt', 226000, 'embedding', 'sd15', ''),  # manager
    ('embeddings', 'easynegative.safetensors', 25000, 'embedding', 'sd15', ''),  # manager
    ('checkpoints', 'stable_cascade_stage_b.safetensors', 4550000000, 'checkpoint', 'cascade', 'text_to_image'),  # manager
    ('checkpoints', 'stable_cascade_stage_c.safetensors', 9220000000, 'checkpoint', 'cascade', 'text_to_image'),  # manager
    ('vae', 'stage_a.safetensors', 73700000, 'vae', 'cascade', ''),  # manager
    ('vae', 'effnet_encoder.safetensors', 81500000, 'vae', 'cascade', ''),  # manager
    ('diffusion_models', 'stage_b.safetensors', 6250000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_b_bf16.safetensors', 3130000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_b_lite.safetensors', 2800000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_b_lite_bf16.safetensors', 1400000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_c.safetensors', 14400000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_c_bf16.safetensors', 7180000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_c_lite.safetensors', 4120000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('diffusion_models', 'stage_c_lite_bf16.safetensors', 2060000000, 'diffusion_model', 'cascade', 'text_to_image'),  # manager
    ('checkpoints', 'sd_xl_turbo_1.0.safetensors', 13900000000, 'checkpoint', 'sdxl', 'text_to_image'),  # manager
    ('checkpoints', 'sd_xl_base_1.0_0.9vae.safetensors', 6940000000, 'checkpoint', 'sdxl', 'text_to_image'),  # manager
    ('checkpoints', 'sd_xl_refiner_1.0_0.9vae.safetensors', 6080000000, 'checkpoint', 'sdxl', 'image_to_image'),  # manager
    ('loras', 'sd_xl_offset_example-lora_1.0.safetensors', 49600000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'sdxl_lightning_2step_lora.safetensors', 393900000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'sdxl_lightning_4step_lora.safetensors', 393900000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'sdxl_lightning_8step_lora.safetensors', 393900000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'dmd2_sdxl_4step_lora.safetensors', 787000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'dmd2_sdxl_4step_lora_fp16.safetensors', 394000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'Hyper-FLUX.1-dev-8steps-lora.safetensors', 1390000000, 'lora', 'flux1', ''),  # manager
    ('loras', 'Hyper-FLUX.1-dev-16steps-lora.safetensors', 1390000000, 'lora', 'flux1', ''),  # manager
    ('loras', 'Hyper-SD15-1step-lora.safetensors', 269000000, 'lora', 'sd15', ''),  # manager
    ('loras', 'Hyper-SD15-2steps-lora.safetensors', 269000000, 'lora', 'sd15', ''),  # manager
    ('loras', 'Hyper-SD15-8steps-lora.safetensors', 269000000, 'lora', 'sd15', ''),  # manager
    ('loras', 'Hyper-SD15-8steps-CFG-lora.safetensors', 269000000, 'lora', 'sd15', ''),  # manager
    ('loras', 'Hyper-SD15-12steps-CFG-lora.safetensors', 269000000, 'lora', 'sd15', ''),  # manager
    ('loras', 'Hyper-SDXL-1step-lora.safetensors', 787000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'Hyper-SDXL-2steps-lora.safetensors', 787000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'Hyper-SDXL-8steps-lora.safetensors', 787000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'Hyper-SDXL-8steps-CFG-lora.safetensors', 787000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'Hyper-SDXL-12steps-CFG-lora.safetensors', 787000000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'Hyper-SD3-4steps-CFG-lora.safetensors', 472000000, 'lora', 'sd3', ''),  # manager
    ('loras', 'Hyper-SD3-8steps-CFG-lora.safetensors', 472000000, 'lora', 'sd3', ''),  # manager
    ('loras', 'Hyper-SD3-16steps-CFG-lora.safetensors', 472000000, 'lora', 'sd3', ''),  # manager
    ('text_encoders', 't5xxl_fp8_e4m3fn.safetensors', 4890000000, 'text_encoder', '', ''),  # manager
    ('vae', 'cosmos_cv8x8x8_1.0.safetensors', 211000000, 'vae', 'cosmos', ''),  # manager
    ('diffusion_models', 'Cosmos-1_0-Diffusion-7B-Text2World.safetensors', 14500000000, 'diffusion_model', 'cosmos', 'text_to_video'),  # manager
    ('diffusion_models', 'Cosmos-1_0-Diffusion-7B-Video2World.safetensors', 14500000000, 'diffusion_model', 'cosmos', 'image_to_video'),  # manager
    ('diffusion_models', 'Cosmos-1_0-Diffusion-14B-Text2World.safetensors', 28500000000, 'diffusion_model', 'cosmos', 'text_to_video'),  # manager
    ('diffusion_models', 'Cosmos-1_0-Diffusion-14B-Video2World.safetensors', 28500000000, 'diffusion_model', 'cosmos', 'image_to_video'),  # manager
    ('text_encoders', 'google_t5-v1_1-xxl_encoderonly-fp16.safetensors', 10100000000, 'text_encoder', '', ''),  # manager
    ('text_encoders', 'google_t5-v1_1-xxl_encoderonly-fp8_e4m3fn.safetensors', 4890000000, 'text_encoder', '', ''),  # manager
    ('text_encoders', 't5-v1_1-xxl-encoder-Q3_K_L.gguf', 2460000000, 'text_encoder', '', ''),  # manager
    ('text_encoders', 'clip_g.safetensors', 1390000000, 'text_encoder', '', ''),  # manager
    ('checkpoints', 'v1-5-pruned-emaonly.ckpt', 4269999999, 'checkpoint', 'sd15', 'text_to_image'),  # manager
    ('checkpoints', 'v2-1_512-ema-pruned.safetensors', 5210000000, 'checkpoint', 'sd2', 'text_to_image'),  # manager
    ('checkpoints', 'AbyssOrangeMix2_hard.safetensors', 5570000000, 'checkpoint', 'sd15', 'text_to_image'),  # manager
    ('checkpoints', 'AOM3A1_orangemixs.safetensors', 2130000000, 'checkpoint', 'sd15', 'text_to_image'),  # manager
    ('checkpoints', 'AOM3A3_orangemixs.safetensors', 2130000000, 'checkpoint', 'sd15', 'text_to_image'),  # manager
    ('checkpoints', 'wd-illusion-fp16.safetensors', 2580000000, 'checkpoint', 'sd2', 'text_to_image'),  # manager (fixed)
    ('checkpoints', 'illuminatiDiffusionV1_v11-unclip-h-fp16.safetensors', 3980000000, 'checkpoint', 'sd2', 'image_to_image'),  # manager
    ('checkpoints', 'wd-1-5-beta2-aesthetic-unclip-h-fp16.safetensors', 3980000000, 'checkpoint', 'sd2', 'image_to_image'),  # manager (fixed)
    ('vae', 'sdxl_vae.safetensors', 334600000, 'vae', 'sdxl', ''),  # manager
    ('vae', 'orangemix.vae.pt', 822800000, 'vae', 'sd15', ''),  # manager
    ('checkpoints', 'segmind-vega.safetensors', 3290000000, 'checkpoint', 'sdxl', 'text_to_image'),  # manager
    ('loras', 'theovercomer8sContrastFix_sd21768.safetensors', 163000000, 'lora', 'sd2', ''),  # manager (fixed)
    ('loras', 'theovercomer8sContrastFix_sd15.safetensors', 113000000, 'lora', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_depth_sd14v1.pth', 309500000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_seg_sd14v1.pth', 309500000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_sketch_sd14v1.pth', 308000000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_keypose_sd14v1.pth', 309500000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_openpose_sd14v1.pth', 309500000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_color_sd14v1.pth', 74800000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2iadapter_canny_sd14v1.pth', 308000000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 't2i-adapter-lineart-sdxl-1.0.fp16.safetensors', 158100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-canny-sdxl-1.0.fp16.safetensors', 158100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-depth-zoe-sdxl-1.0.fp16.safetensors', 158100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-depth-midas-sdxl-1.0.fp16.safetensors', 158100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-sketch-sdxl-1.0.fp16.safetensors', 158100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-lineart-sdxl-1.0.safetensors', 316100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-canny-sdxl-1.0.safetensors', 316100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-depth-zoe-sdxl-1.0.safetensors', 316100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-depth-midas-sdxl-1.0.safetensors', 316100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-sketch-sdxl-1.0.safetensors', 316100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 't2i-adapter-openpose-sdxl-1.0.safetensors', 316100000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'temporalnetversion2.safetensors', 5710000000, 'controlnet', 'sd15', ''),  # manager (fixed)
    ('clip_vision', 'clip-vit-large-patch14.safetensors', 1710000000, 'clip_vision', '', ''),  # manager
    ('clip_vision', 'clip-vit-large-patch14-336.bin', 1710000000, 'clip_vision', '', ''),  # manager
    ('clip_vision', 'CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors', 2530000000, 'clip_vision', '', ''),  # manager
    ('clip_vision', 'CLIP-ViT-bigG-14-laion2B-39B-b160k.safetensors', 3690000000, 'clip_vision', '', ''),  # manager
    ('controlnet', 'control-lora-canny-rank128.safetensors', 395700000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'control-lora-depth-rank128.safetensors', 395700000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'control-lora-recolor-rank128.safetensors', 395700000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'control-lora-sketch-rank128-metadata.safetensors', 395700000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'OpenPoseXL2.safetensors', 5000000000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'controlnet-sd-xl-1.0-softedge-dexined.safetensors', 5000000000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'depth-zoe-xl-v1.0-controlnet.safetensors', 5000000000, 'controlnet', 'sdxl', ''),  # manager
    ('controlnet', 'control_v11e_sd15_ip2p_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11e_sd15_shuffle_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_canny_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_inpaint_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_lineart_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_mlsd_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_normalbae_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_seg_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15_softedge_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11p_sd15s2_lineart_anime_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11u_sd15_tile_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_v11f1e_sd15_tile_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_sd15_inpaint_depth_hand_fp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'control_boxdepth_LooseControlfp16.safetensors', 722600000, 'controlnet', 'sd15', ''),  # manager (fixed)
    ('gligen', 'gligen_sd14_textbox_pruned_fp16.safetensors', 418200000, 'gligen', 'sd15', ''),  # manager
    ('animatediff_models', 'mm_sd_v14.ckpt', 1670000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'mm_sd_v15.ckpt', 1670000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'mm_sd_v15_v2.ckpt', 1820000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'v3_sd15_mm.ckpt', 1670000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'mm_sdxl_v10_beta.ckpt', 950100000, 'motion_module', 'sdxl', 'text_to_video'),  # manager
    ('animatediff_models', 'mm-Stabilized_high.pth', 1670000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'mm-Stabilized_mid.pth', 1670000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'temporaldiff-v1-animatediff.ckpt', 1670000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_motion_lora', 'v2_lora_PanLeft.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_PanRight.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_RollingAnticlockwise.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_RollingClockwise.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_TiltDown.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_TiltUp.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_ZoomIn.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_motion_lora', 'v2_lora_ZoomOut.ckpt', 77500000, 'lora', 'sd15', ''),  # manager
    ('animatediff_models', 'lt_long_mm_32_frames.ckpt', 1820000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'lt_long_mm_16_64_frames.ckpt', 1830000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('animatediff_models', 'lt_long_mm_16_64_frames_v1.1.ckpt', 1830000000, 'motion_module', 'sd15', 'text_to_video'),  # manager
    ('controlnet', 'v3_sd15_sparsectrl_rgb.ckpt', 1990000000, 'controlnet', 'sd15', ''),  # manager
    ('controlnet', 'v3_sd15_sparsectrl_scribble.ckpt', 1990000000, 'controlnet', 'sd15', ''),  # manager
    ('loras', 'v3_sd15_adapter.ckpt', 102100000, 'lora', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter_sd15.safetensors', 44600000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter_sd15_light_v11.bin', 44600000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter_sd15_light.safetensors', 44600000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-plus_sd15.safetensors', 98200000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-plus-face_sd15.safetensors', 98200000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-full-face_sd15.safetensors', 43600000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter_sd15_vit-G.safetensors', 46200000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid_sd15.bin', 96700000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-plusv2_sd15.bin', 156600000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-plus_sd15.bin', 156600000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-portrait-v11_sd15.bin', 64599999, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-portrait_sd15.bin', 64599999, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid_sdxl.bin', 1070000000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-plusv2_sdxl.bin', 1490000000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-portrait_sdxl.bin', 749800000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter-faceid-portrait_sdxl_unnorm.bin', 1010000000, 'ipadapter', 'sdxl', ''),  # manager
    ('loras', 'ip-adapter-faceid_sd15_lora.safetensors', 51100000, 'lora', 'sd15', ''),  # manager
    ('loras', 'ip-adapter-faceid-plus_sd15_lora.safetensors', 51100000, 'lora', 'sd15', ''),  # manager
    ('loras', 'ip-adapter-faceid-plusv2_sd15_lora.safetensors', 51100000, 'lora', 'sd15', ''),  # manager
    ('loras', 'ip-adapter-faceid_sdxl_lora.safetensors', 371800000, 'lora', 'sdxl', ''),  # manager
    ('loras', 'ip-adapter-faceid-plusv2_sdxl_lora.safetensors', 371800000, 'lora', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter_sdxl.safetensors', 702600000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter_sdxl_vit-h.safetensors', 698400000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter-plus_sdxl_vit-h.safetensors', 847500000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip-adapter-plus-face_sdxl_vit-h.safetensors', 847500000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'ip_plus_composition_sd15.safetensors', 98200000, 'ipadapter', 'sd15', ''),  # manager
    ('ipadapter', 'ip_plus_composition_sdxl.safetensors', 847500000, 'ipadapter', 'sdxl', ''),  # manager
    ('ipadapter', 'Kolors-IP-Adapter-Plus.bin', 1010000000, 'ipadapter', 'kolors', ''),  # manager
    ('ipadapter', 'Kolors-IP-Adapter-FaceID-Plus.bin', 2390000000, 'ipadapter', 'kolors', ''),  # manager
    ('photomaker', 'photomaker-v1.bin', 934100000, 'photomaker', 'sdxl', ''),  # manager
    ('photomaker', 'photomaker-v2.bin', 1800000000, 'photomaker', 'sdxl', ''),  # manager
    ('controlnet', 'control_v1p_sdxl_qrcode_monster.safetensors', 5000000000, 'controlnet', 'sdxl', ''),  # manager
    ('checkpoints', 'SUPIR-v0F.ckpt', 5330000000, 'checkpoint', 'sdxl', 'upscale'),  # manager
    ('checkpoints', 'SUPIR-v0Q.ckpt', 5330000000, 'checkpoint', 'sdxl', 'upscale'),  # manager
    ('checkpoints', 'SUPIR-v0F_fp16.safetensors', 2660000000, 'checkpoint', 'sdxl', 'upscale'),  # manager
    ('checkpoints', 'SUPIR-v0Q_fp16.safetensors', 2660000000, 'checkpoint', 'sdxl', 'upscale'),  # manager
    ('diffusion_models', 'iclight_sd15_fc.safetensors', 1720000000, 'diffusion_model', 'sd15', 'image_to_image'),  # manager
    ('diffusion_models', 'iclight_sd15_fbc.safetensors', 1720000000, 'diffusion_model', 'sd15', 'image_to_image'),  # manager
    ('diffusion_models', 'iclight_sd15_fcon.safetensors', 1720000000, 'diffusion_model', 'sd15', 'image_to_image'),  # manager
    ('controlnet', 'TTPLANET_Controlnet_Tile_realistic_v2_fp16.safetensors', 2500000000, 'controlnet', 'sdxl', ''),  # manager (fixed)
    ('controlnet', 'TTPLANET_Controlnet_Tile_realistic_v2_rank256.safetensors', 774400000, 'controlnet', 'sdxl', ''),  # manager (fixed)
    ('controlnet', 'flux_shakker_labs_union_pro-fp8_e4m3fn.safetensors', 3300000000, 'controlnet', 'flux1', ''),  # manager
    ('controlnet', 'CN-anytest_v4-marged.safetensors', 2500000000, 'controlnet', 'sdxl', ''),  # manager (fixed)
    ('checkpoints', 'PixArt-Sigma-XL-2-1024-MS.pth', 2470000000, 'checkpoint', 'pixart', 'text_to_image'),  # manager
    ('diffusion_models', 'PixArt-Sigma-XL-2-512-MS.safetensors', 2440000000, 'diffusion_model', 'pixart', 'text_to_image'),  # manager
    ('diffusion_models', 'PixArt-Sigma-XL-2-1024-MS.safetensors', 2440000000, 'diffusion_model', 'pixart', 'text_to_image'),  # manager
    ('diffusion_models', 'PixArt-XL-2-1024-MS.safetensors', 2450000000, 'diffusion_model', 'pixart', 'text_to_image'),  # manager
    ('checkpoints', 'hunyuan_dit_1.2.safetensors', 8240000000, 'checkpoint', 'hunyuan_dit', 'text_to_image'),  # manager
    ('checkpoints', 'hunyuan_dit_1.1.safetensors', 8240000000, 'checkpoint', 'hunyuan_dit', 'text_to_image'),  # manager
    ('checkpoints', 'hunyuan_dit_1.0.safetensors', 8240000000, 'checkpoint', 'hunyuan_dit', 'text_to_image'),  # manager
    ('diffusion_models', 'hunyuan_video_image_to_video_720p_bf16.safetensors', 25600000000, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # manager
    ('text_encoders', 'llava_llama3_fp16.safetensors', 16100000000, 'text_encoder', 'hunyuan_video', ''),  # manager
    ('diffusion_models', 'flux1-schnell-fp8.safetensors', 11900000000, 'diffusion_model', 'flux1', 'text_to_image'),  # manager
    ('diffusion_models', 'flux_dev_fp8_scaled_diffusion_model.safetensors', 11900000000, 'diffusion_model', 'flux1', 'text_to_image'),  # manager
    ('diffusion_models', 'flux1-dev-F16.gguf', 23800000000, 'diffusion_model', 'flux1', 'text_to_image'),  # manager
    ('diffusion_models', 'flux1-schnell-F16.gguf', 23800000000, 'diffusion_model', 'flux1', 'text_to_image'),  # manager
    ('text_encoders', 'ViT-L-14-TEXT-detail-improved-hiT-GmP-HF.safetensors', 931000000, 'text_encoder', '', ''),  # manager
    ('text_encoders', 'ViT-L-14-TEXT-detail-improved-hiT-GmP-TE-only-HF.safetensors', 323000000, 'text_encoder', '', ''),  # manager
    ('pulid', 'pulid_flux_v0.9.1.safetensors', 1140000000, 'ipadapter', 'flux1', ''),  # manager
    ('pulid', 'pulid_v1.1.safetensors', 984000000, 'ipadapter', 'sdxl', ''),  # manager (fixed)
    ('checkpoints', 'ltx-video-2b-v0.9.1.safetensors', 5720000000, 'checkpoint', 'ltxv', 'image_to_video;text_to_video'),  # manager
    ('xlabs_controlnets', 'flux-canny-controlnet-v3.safetensors', 1490000000, 'controlnet', 'flux1', ''),  # manager
    ('xlabs_controlnets', 'flux-depth-controlnet-v3.safetensors', 1490000000, 'controlnet', 'flux1', ''),  # manager
    ('xlabs_controlnets', 'flux-hed-controlnet-v3.safetensors', 1490000000, 'controlnet', 'flux1', ''),  # manager
    ('xlabs_loras', 'realism_lora.safetensors', 44800000, 'lora', 'flux1', ''),  # manager
    ('xlabs_loras', 'art_lora.safetensors', 44800000, 'lora', 'flux1', ''),  # manager
    ('xlabs_loras', 'mjv6_lora.safetensors', 44800000, 'lora', 'flux1', ''),  # manager
    ('diffusion_models', 'wan2.1_i2v_480p_14B_bf16.safetensors', 32799999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors', 16399999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_i2v_480p_14B_fp8_scaled.safetensors', 16399999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_i2v_720p_14B_bf16.safetensors', 32799999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_i2v_720p_14B_fp16.safetensors', 32799999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_i2v_720p_14B_fp8_e4m3fn.safetensors', 16399999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_i2v_720p_14B_fp8_scaled.safetensors', 16399999999, 'diffusion_model', 'wan21', 'image_to_video'),  # manager
    ('diffusion_models', 'wan2.1_t2v_1.3B_bf16.safetensors', 2840000000, 'diffusion_model', 'wan21', 'text_to_video'),  # manager
    ('diffusion_models', 'wan2.1_t2v_14B_bf16.safetensors', 28600000000, 'diffusion_model', 'wan21', 'text_to_video'),  # manager
    ('diffusion_models', 'wan2.1_t2v_14B_fp16.safetensors', 28600000000, 'diffusion_model', 'wan21', 'text_to_video'),  # manager
    ('diffusion_models', 'wan2.1_t2v_14B_fp8_e4m3fn.safetensors', 14300000000, 'diffusion_model', 'wan21', 'text_to_video'),  # manager
    ('diffusion_models', 'Wan2_1-I2V-14B-480P_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_1-I2V-14B-720P_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_1-T2V-14B_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2_1-T2V-1_3B_fp32.safetensors', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2_1-InfiniteTalk-Single_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_1-InfiniTetalk-Single_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known (fixed)
    ('diffusion_models', 'Wan2_1-InfiniteTalk-Multi_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'MelBandRoformer_fp16.safetensors', None, 'diffusion_model', '', ''),  # known
    ('diffusion_models', 'Wan2_1-FLF2V-14B-720P_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_1-SkyReels-V2-DF-14B-720P_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2_1-SkyReels-V2-I2V-14B-720P_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_1_14B_MultiTalk_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_2-T2V-A14B_HIGH_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2_2-T2V-A14B-LOW_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'text_to_video'),  # known
    # a model page offering both modes, then the file's own mode: the later token decides (fixed)
    ('diffusion_models', 'smoothMixWan22I2VT2V_i2vHigh.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'smoothMixWan22I2VT2V_i2vLow.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'smoothMixWan22I2VT2V_t2vHigh.safetensors', None, 'diffusion_model', 'wan22', 'text_to_video'),  # known
    ('diffusion_models', 'smoothMixWan22I2VT2V_t2vLow.safetensors', None, 'diffusion_model', 'wan22', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2_2-I2V-A14B-HIGH_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_2-I2V-A14B-LOW_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_2-TI2V-5B_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'Wan2_2-Animate-14B_fp8_scaled_e4m3fn_KJ_v2.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2_2-S2V-14B_fp8_e4m3fn_scaled_KJ.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Phantom-Wan-14B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Phantom-Wan-1_3B_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'wan2.2_animate_14B_bf16.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.2-I2V-A14B-LowNoise-Q8_0.gguf', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.2-T2V-A14B-HighNoise-Q5_K_M.gguf', None, 'diffusion_model', 'wan22', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2.2-TI2V-5B-Q8_0.gguf', None, 'diffusion_model', 'wan22', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'wan2.1-i2v-14b-480p-Q4_K_M.gguf', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'wan2.1-t2v-14b-Q5_K_M.gguf', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'Wan2.1-VACE-14B-Q8_0.gguf', None, 'diffusion_model', 'wan21', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'Wan2.1_14B_VACE-Q4_K_M.gguf', None, 'diffusion_model', 'wan21', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'wan2.1-flf2v-14b-720p-Q4_K_M.gguf', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.1-Fun-14B-InP-Q8_0.gguf', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.2-Fun-A14B-InP-LowNoise-Q4_K_M.gguf', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.2-Animate-14B-Q4_K_M.gguf', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.2-S2V-14B-Q5_K_M.gguf', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'wan2.2_i2v_A14b_high_noise_lightx2v_4step_1030.safetensors', None, 'diffusion_model', 'wan22', 'image_to_video'),  # known
    ('diffusion_models', 'Wan2.1_T2V_14B_FusionX-Q4_K_M.gguf', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'Wan14BT2VFusioniX_fp16_.safetensors', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'Wan14Bi2vFusioniX_fp16.safetensors', None, 'diffusion_model', 'wan21', 'image_to_video'),  # known (fixed)
    ('diffusion_models', 'SkyReels-V2-DF-14B-540P-Q4_K_M.gguf', None, 'diffusion_model', 'wan21', 'text_to_video'),  # known
    ('diffusion_models', 'skyreels_hunyuan_i2v_bf16.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'hunyuan-video-t2v-720p-Q4_K_M.gguf', None, 'diffusion_model', 'hunyuan_video', 'text_to_video'),  # known
    ('diffusion_models', 'hunyuan_video_v2_replace_image_to_video_720p_bf16.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'hunyuan-video-i2v-720p-Q4_K_M.gguf', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'FramePackI2V_HY_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'FramePackI2V_HY_bf16.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'FramePack_F1_I2V_HY_20250503_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'hunyuanvideo1.5_480p_i2v_distilled_fp8_scaled.safetensors', None, 'diffusion_model', 'hunyuan_video', 'image_to_video'),  # known
    ('diffusion_models', 'hunyuanimage2.1_bf16.safetensors', None, 'diffusion_model', 'hunyuan_image', 'text_to_image'),  # known
    ('diffusion_models', 'hunyuanimage2.1_refiner_bf16.safetensors', None, 'diffusion_model', 'hunyuan_image', 'image_to_image'),  # known
    ('diffusion_models', 'hunyuan_image_2.1_distilled_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'hunyuan_image', 'text_to_image'),  # known
    ('diffusion_models', 'ltxv-13b-0.9.7-dev-fp8.safetensors', None, 'diffusion_model', 'ltxv', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'ltxv-13b-0.9.8-distilled-fp8.safetensors', None, 'diffusion_model', 'ltxv', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltxv-13b-0.9.8-dev.safetensors', None, 'checkpoint', 'ltxv', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltxv-2b-0.9.8-distilled.safetensors', None, 'checkpoint', 'ltxv', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltxv-2b-0.9.6-dev-04-25.safetensors', None, 'checkpoint', 'ltxv', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'ltxv-13b-0.9.7-distilled-Q4_K_M.gguf', None, 'diffusion_model', 'ltxv', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltx-2-19b-dev.safetensors', None, 'checkpoint', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltx-2-19b-distilled.safetensors', None, 'checkpoint', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltx-2-19b-dev-fp4.safetensors', None, 'checkpoint', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltx-2.3-22b-dev.safetensors', None, 'checkpoint', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('checkpoints', 'ltx-2.3-22b-distilled-fp8.safetensors', None, 'checkpoint', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'ltx-2-19b-dev-Q4_K_M.gguf', None, 'diffusion_model', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('diffusion_models', 'LTX-2-19B-distilled-Q8_0.gguf', None, 'diffusion_model', 'ltx2', 'image_to_video;text_to_video'),  # known
    ('latent_upscale_models', 'ltxv-spatial-upscaler-0.9.7.safetensors', None, 'latent_upscale', 'ltxv', 'upscale'),  # known
    ('latent_upscale_models', 'ltxv-temporal-upscaler-0.9.7.safetensors', None, 'latent_upscale', 'ltxv', 'upscale'),  # known
    ('loras', 'ltxv-097-ic-lora-pose-control-diffusers.safetensors', None, 'lora', 'ltxv', ''),  # known
    ('loras', 'ltx-2-19b-ic-lora-canny-control.safetensors', None, 'lora', 'ltx2', ''),  # known
    ('loras', 'ltx-2-19b-lora-camera-control-dolly-in.safetensors', None, 'lora', 'ltx2', ''),  # known
    ('text_encoders', 'gemma_3_12B_it.safetensors', None, 'text_encoder', 'ltx2', ''),  # known
    ('text_encoders', 'gemma_3_12B_it_fp8_e4m3fn.safetensors', None, 'text_encoder', 'ltx2', ''),  # known
    ('diffusion_models', 'mochi_preview_dit_GGUF_Q8_0.gguf', None, 'diffusion_model', 'mochi', 'text_to_video'),  # known
    ('diffusion_models', 'mochi_preview_fp8_scaled.safetensors', None, 'diffusion_model', 'mochi', 'text_to_video'),  # known
    ('vae', 'mochi_preview_vae_decoder_bf16.safetensors', None, 'vae', 'mochi', ''),  # known
    ('diffusion_models', 'cosmos_predict2_2B_t2i.safetensors', None, 'diffusion_model', 'cosmos', 'text_to_image'),  # known
    ('diffusion_models', 'cosmos_predict2_14B_video2world_480p_16fps.safetensors', None, 'diffusion_model', 'cosmos', 'image_to_video'),  # known
    ('diffusion_models', 'Cosmos-Predict2-2B-Text2Image.safetensors', None, 'diffusion_model', 'cosmos', 'text_to_image'),  # known
    ('diffusion_models', 'cosmos_1.0_text2world_7B.safetensors', None, 'diffusion_model', 'cosmos', 'text_to_video'),  # known
    ('text_encoders', 'oldt5_xxl_fp8_e4m3fn_scaled.safetensors', None, 'text_encoder', 'cosmos', ''),  # known
    ('diffusion_models', 'CogVideoX-5b-I2V_bf16.safetensors', None, 'diffusion_model', 'cogvideox', 'image_to_video'),  # known
    ('diffusion_models', 'CogVideoX_1_5_5b_I2V_bf16.safetensors', None, 'diffusion_model', 'cogvideox', 'image_to_video'),  # known
    ('diffusion_models', 'flux1-kontext-dev-Q4_K_M.gguf', None, 'diffusion_model', 'flux1', 'image_to_image'),  # known
    ('diffusion_models', 'flux1-krea-dev-Q5_K_M.gguf', None, 'diffusion_model', 'flux1', 'text_to_image'),  # known
    ('diffusion_models', 'flux1-fill-dev-Q4_K_S.gguf', None, 'diffusion_model', 'flux1', 'image_to_image'),  # known
    ('diffusion_models', 'flux1-depth-dev.safetensors', None, 'diffusion_model', 'flux1', 'image_to_image'),  # known
    ('diffusion_models', 'flux1-dev-fp8-e4m3fn.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # known
    ('diffusion_models', 'svdq-int4-flux.1-dev', None, 'diffusion_model', 'flux1', 'text_to_image'),  # known
    ('diffusion_models', 'svdq-int4_r32-flux.1-kontext-dev.safetensors', None, 'diffusion_model', 'flux1', 'image_to_image'),  # known
    ('diffusion_models', 'svdq-fp4_r32-flux.1-dev.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # known
    ('diffusion_models', 'flux1-dev-nvfp4.safetensors', None, 'diffusion_model', 'flux1', 'text_to_image'),  # known
    ('diffusion_models', 'flux2_dev_Q4_K_M.gguf', None, 'diffusion_model', 'flux2', 'text_to_image'),  # known
    ('diffusion_models', 'flux-2-klein-9b.safetensors', None, 'diffusion_model', 'flux2', 'text_to_image'),  # known
    ('diffusion_models', 'flux-2-klein-base-4b-fp8.safetensors', None, 'diffusion_model', 'flux2', 'text_to_image'),  # known
    ('diffusion_models', 'flux-2-klein-4b-fp8.safetensors', None, 'diffusion_model', 'flux2', 'text_to_image'),  # known
    ('diffusion_models', 'flux2-dev-nvfp4.safetensors', None, 'diffusion_model', 'flux2', 'text_to_image'),  # known
    ('diffusion_models', 'chroma-unlocked-v37-detail-calibrated.safetensors', None, 'diffusion_model', 'chroma', 'text_to_image'),  # known
    ('diffusion_models', 'Chroma1-HD.safetensors', None, 'diffusion_model', 'chroma', 'text_to_image'),  # known
    ('diffusion_models', 'chroma-unlocked-v50-Q8_0.gguf', None, 'diffusion_model', 'chroma', 'text_to_image'),  # known
    ('diffusion_models', 'Chroma1-Radiance-v0.2.safetensors', None, 'diffusion_model', 'chroma', 'text_to_image'),  # known
    ('diffusion_models', 'qwen_image_2512_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'qwen_image', 'text_to_image'),  # known
    ('diffusion_models', 'qwen_image_edit_2511_bf16.safetensors', None, 'diffusion_model', 'qwen_image', 'image_to_image'),  # known
    ('diffusion_models', 'Qwen_Image_Edit-Q4_K_M.gguf', None, 'diffusion_model', 'qwen_image', 'image_to_image'),  # known
    ('diffusion_models', 'qwen-image-Q4_K_M.gguf', None, 'diffusion_model', 'qwen_image', 'text_to_image'),  # known
    ('diffusion_models', 'Qwen-Image-Edit-2509-Q5_K_M.gguf', None, 'diffusion_model', 'qwen_image', 'image_to_image'),  # known
    ('diffusion_models', 'qwen_image_distill_full_fp8_e4m3fn.safetensors', None, 'diffusion_model', 'qwen_image', 'text_to_image'),  # known
    ('diffusion_models', 'svdq-int4_r32-qwen-image-lightningv1.1-8steps.safetensors', None, 'diffusion_model', 'qwen_image', 'text_to_image'),  # known
    ('diffusion_models', 'hidream_i1_full_fp16.safetensors', None, 'diffusion_model', 'hidream', 'text_to_image'),  # known
    ('diffusion_models', 'hidream-i1-dev-Q4_K_M.gguf', None, 'diffusion_model', 'hidream', 'text_to_image'),  # known
    ('diffusion_models', 'hidream_e1_full_bf16-Q8_0.gguf', None, 'diffusion_model', 'hidream', 'image_to_image'),  # known
    ('diffusion_models', 'z_image_turbo-Q8_0.gguf', None, 'diffusion_model', 'lumina2', 'text_to_image'),  # known
    ('diffusion_models', 'z_image_bf16.safetensors', None, 'diffusion_model', 'lumina2', 'text_to_image'),  # known
    ('diffusion_models', 'lumina_2_model_bf16.safetensors', None, 'diffusion_model', 'lumina2', 'text_to_image'),  # known
    ('checkpoints', 'lumina_2.safetensors', None, 'checkpoint', 'lumina2', 'text_to_image'),  # known
    ('diffusion_models', 'sd3.5_large-Q4_0.gguf', None, 'diffusion_model', 'sd3', 'text_to_image'),  # known
    ('diffusion_models', 'sd3.5_medium-Q8_0.gguf', None, 'diffusion_model', 'sd3', 'text_to_image'),  # known
    ('checkpoints', 'sd3.5_large_turbo.safetensors', None, 'checkpoint', 'sd3', 'text_to_image'),  # known
    ('checkpoints', 'sd3_medium_incl_clips_t5xxlfp8.safetensors', None, 'checkpoint', 'sd3', 'text_to_image'),  # known
    ('checkpoints', 'sd3_medium_incl_clips.safetensors', None, 'checkpoint', 'sd3', 'text_to_image'),  # known
    ('checkpoints', 'sd3_medium.safetensors', None, 'checkpoint', 'sd3', 'text_to_image'),  # known
    ('diffusion_models', 'PixArt-Sigma-XL-2-1024-MS.pth', None, 'diffusion_model', 'pixart', 'text_to_image'),  # known
    ('checkpoints', 'PixArt-Sigma-XL-2-2K-MS.pth', None, 'checkpoint', 'pixart', 'text_to_image'),  # known
    ('diffusion_models', 'kolors_unet_fp16.safetensors', None, 'diffusion_model', 'kolors', 'text_to_image'),  # known
    ('checkpoints', 'Kolors.safetensors', None, 'checkpoint', 'kolors', 'text_to_image'),  # known
    ('checkpoints', 'stable_audio_open_1.0.safetensors', None, 'checkpoint', 'stable_audio', 'text_to_audio'),  # known
    ('checkpoints', 'ace_step_1.5_turbo_aio.safetensors', None, 'checkpoint', 'ace_step', 'text_to_audio'),  # known
    ('diffusion_models', 'acestep_v1.5_turbo.safetensors', None, 'diffusion_model', 'ace_step', 'text_to_audio'),  # known
    ('diffusion_models', 'ace_step_v1_3.5b.safetensors', None, 'diffusion_model', 'ace_step', 'text_to_audio'),  # known
    ('checkpoints', 'AuraFlow-v0.3.safetensors', None, 'checkpoint', '', 'text_to_image'),  # known; AuraFlow is text-to-image
    ('checkpoints', 'aura_flow_0.3.safetensors', None, 'checkpoint', '', 'text_to_image'),  # known; AuraFlow is text-to-image
    ('checkpoints', 'sdxl_lightning_4step.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'Illustrious-XL-v2.0.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'illustriousXL_v01.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'waiNSFWIllustrious_v140.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'waiIllustriousSDXL_v150.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'noobaiXLNAIXL_epsilonPred11Version.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'NoobAI-XL-Vpred-v1.0.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'cyberrealisticPony_v110.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'cyberrealisticXL_v60.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'CyberRealistic_V9_FP16.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'epicrealismXL_vxviiCrystalclear.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'epicrealism_naturalSinRC1VAE.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'RealVisXL_V5.0_fp16.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'realvisxlV50_v50Bakedvae.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'realisticVisionV60B1_v51HyperVAE.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'dreamshaperXL_v21TurboDPMSDE.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'DreamShaperXL_Lightning.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'dreamshaper_8Inpainting.safetensors', None, 'checkpoint', 'sd15', 'image_to_image'),  # known (fixed)
    ('checkpoints', 'juggernautXL_ragnarokBy.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'Juggernaut-XI-byRunDiffusion.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'Juggernaut_X_RunDiffusion_Hyper.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'juggernaut_reborn.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'animagine-xl-3.1.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'animagineXL40_v4Opt.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'autismmixSDXL_autismmixPony.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'zavychromaxl_v100.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'novaAnimeXL_ilV140.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'hassakuXLIllustrious_v21.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known (fixed)
    ('checkpoints', 'prefectPonyXL_v50.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'bluePencilXL_v700.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'sdxlUnstableDiffusers_nihilmania.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'copaxTimelessxlSDXL1_v12.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'revAnimated_v2Rebirth.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'meinamix_meinaV11.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'anything-v5-PrtRE.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'AnythingXL_xl.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'counterfeitV30_v30.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'absolutereality_v181.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'photon_v1.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'ghostmix_v20Bakedvae.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'toonyou_beta6.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known
    ('checkpoints', 'flat2DAnimerge_v45Sharp.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known (fixed)
    ('checkpoints', 'aZovyaRPGArtistTools_v4.safetensors', None, 'checkpoint', 'sd15', 'text_to_image'),  # known (fixed)
    ('checkpoints', 'sd-v1-5-inpainting.ckpt', None, 'checkpoint', 'sd15', 'image_to_image'),  # known
    ('checkpoints', '512-base-ema.safetensors', None, 'checkpoint', 'sd2', 'text_to_image'),  # known
    ('checkpoints', 'v2-1_768-nonema-pruned.safetensors', None, 'checkpoint', 'sd2', 'text_to_image'),  # known
    ('checkpoints', 'sdxl-turbo.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'playground-v2.5-1024px-aesthetic.fp16.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'ssd-1b.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'sdxl-inpainting-0.1.safetensors', None, 'checkpoint', 'sdxl', 'image_to_image'),  # known
    ('checkpoints', 'Juggernaut-XL_v9_RunDiffusionPhoto_v2-inpainting.safetensors', None, 'checkpoint', 'sdxl', 'image_to_image'),  # known
    ('checkpoints', 'cosxl_edit.safetensors', None, 'checkpoint', 'sdxl', 'image_to_image'),  # known
    ('checkpoints', 'LEOSAM_HelloWorld_XL_v7.safetensors', None, 'checkpoint', 'sdxl', 'text_to_image'),  # known
    ('checkpoints', 'svd_xt_1_1.safetensors', None, 'checkpoint', 'svd', 'image_to_video'),  # known
    ('loras', 'Wan21_T2V_14B_lightx2v_cfg_step_distill_lora_rank32.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan2.2-Lightning_I2V-A14B-4steps-lora_HIGH_fp16.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'Wan2.2-Lightning_T2V-v1.1-A14B-4steps-lora_LOW_fp16.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'Wan2.2-T2V-A14B-4steps-250928-dyno-high-lightx2v.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'low_noise_model.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'Wan21_AccVid_I2V_480P_14B_lora_rank32_fp16.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan14B_RealismBoost.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'wan21_DetailEnhancerV1.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan21_CausVid_14B_T2V_lora_rank32_v2.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan2.1_T2V_14B_FusionX_LoRA.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan21_Uni3C_controlnet_fp16.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan2_1_Skyreels-v2-T2V-720P_LoRA_rank_64_fp16.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan22_A14B_T2V_HIGH_Lightning_4steps_lora_250928_rank128_fp16.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'Wan22-Turbo-A14B-T2V-HIGH.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'lightx2v_I2V_14B_480p_cfg_step_distill_rank128_bf16.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'Wan2.2-Fun-A14B-InP-high-noise-HPS2.1.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'Qwen-Image-Lightning-8steps-V2.0.safetensors', None, 'lora', 'qwen_image', ''),  # known
    ('loras', 'Qwen-Image-Edit-2509-Lightning-8steps-V1.0-bf16.safetensors', None, 'lora', 'qwen_image', ''),  # known
    ('loras', 'Qwen-Image-2512-Lightning-4steps-V1.0-bf16.safetensors', None, 'lora', 'qwen_image', ''),  # known
    ('loras', 'qwen_image_edit_2509_multiple-angles.safetensors', None, 'lora', 'qwen_image', ''),  # known
    ('loras', 'Qwen-Edit-2509-Multiple-angles.safetensors', None, 'lora', 'qwen_image', ''),  # known
    ('loras', 'FLUX.1-Turbo-Alpha.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'flux1-canny-dev-lora.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'flux_realism_lora.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'FLUX-dev-lora-AntiBlur.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'aidmaHyperrealism-FLUX-v0.3.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'pytorch_lora_weights.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'lcm-lora-sdv1-5.safetensors', None, 'lora', 'sd15', ''),  # known
    ('loras', 'lcm-lora-sdxl.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'lcm_lora_sd15.safetensors', None, 'lora', 'sd15', ''),  # known
    ('loras', 'add_detail.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'add-detail-xl.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'more_details.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'detailed_notrigger.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'epiCRealismHelper.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'ClearHandsXL.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'Illustrious_Detailer.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'Smooth_Booster_v3.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'zy_AmateurStyle_v2.safetensors', None, 'lora', '', ''),  # known
    ('loras', 'ponyxl_style_detailer.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'Zimage_turbo_Detailer_v1.safetensors', None, 'lora', 'lumina2', ''),  # known
    ('loras', 'z-image-turbo-realism-lora.safetensors', None, 'lora', 'lumina2', ''),  # known
    ('loras', 'Z-Image-Turbo-Fun-Lora-Distill-4-Steps.safetensors', None, 'lora', 'lumina2', ''),  # known
    ('loras', 'flux2_klein_realism_lora.safetensors', None, 'lora', 'flux2', ''),  # known
    ('loras', 'Flux2-Klein-9B-consistency-lora.safetensors', None, 'lora', 'flux2', ''),  # known
    ('loras', 'hidream_e1_lora.safetensors', None, 'lora', 'hidream', ''),  # known
    ('loras', 'hunyuan_video_FastVideo_lora.safetensors', None, 'lora', 'hunyuan_video', ''),  # known
    ('loras', 'HunyuanVideo_dashtoon_keyframe_lora_converted_bf16.safetensors', None, 'lora', 'hunyuan_video', ''),  # known
    ('loras', 'chroma_lora_detail.safetensors', None, 'lora', 'chroma', ''),  # known
    ('loras', 'ltxv-13b-0.9.7-distilled-lora128.safetensors', None, 'lora', 'ltxv', ''),  # known
    ('loras', 'ltx-2-19b-distilled-lora-384.safetensors', None, 'lora', 'ltx2', ''),  # known
    ('loras', 'sd3.5_large_turbo_lora.safetensors', None, 'lora', 'sd3', ''),  # known
    ('loras', 'SD3.5M_Realism_lora.safetensors', None, 'lora', 'sd3', ''),  # known
    ('loras', 'InstantID_lora.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'Wan/Wan2.1/moviestyle.safetensors', None, 'lora', 'wan21', ''),  # known
    ('loras', 'SDXL/style/pixel-art-xl.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'SD1.5/LowRA.safetensors', None, 'lora', 'sd15', ''),  # known
    ('loras', 'Pony/Expressive_H-000001.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'Illustrious/Hyper-Illust-v2.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'IL/detailer_v1.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'NoobAI/style_lora.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'Flux/ultrarealistic-lora.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'flux/ghibli.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'QwenImage/realism.safetensors', None, 'lora', 'qwen_image', ''),  # known
    ('loras', 'ZImage/realism.safetensors', None, 'lora', 'lumina2', ''),  # known
    ('loras', 'zit/realism.safetensors', None, 'lora', 'lumina2', ''),  # known
    ('loras', 'Z-Image/realism.safetensors', None, 'lora', 'lumina2', ''),  # known
    ('loras', 'HunyuanVideo/style.safetensors', None, 'lora', 'hunyuan_video', ''),  # known
    ('loras', 'ltx/style.safetensors', None, 'lora', 'ltxv', ''),  # known
    ('loras', 'LTX2/style.safetensors', None, 'lora', 'ltx2', ''),  # known
    ('loras', 'wan22/style_high.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'Wan2.2/style_low_noise.safetensors', None, 'lora', 'wan22', ''),  # known
    ('loras', 'Kontext/relight.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'SDXL/pony/style.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'sd15/style.safetensors', None, 'lora', 'sd15', ''),  # known
    ('loras', 'XL/style.safetensors', None, 'lora', 'sdxl', ''),  # known
    ('loras', 'SD1/style.safetensors', None, 'lora', 'sd15', ''),  # known (fixed)
    ('loras', 'sd1/style.safetensors', None, 'lora', 'sd15', ''),  # known (fixed)
    ('loras', 'chroma/style.safetensors', None, 'lora', 'chroma', ''),  # known
    ('loras', 'hidream/style.safetensors', None, 'lora', 'hidream', ''),  # known
    ('loras', 'krea/style.safetensors', None, 'lora', 'flux1', ''),  # known (fixed)
    ('loras', 'flux-krea/style.safetensors', None, 'lora', 'flux1', ''),  # known
    ('loras', 'Klein/style.safetensors', None, 'lora', 'flux2', ''),  # known
    ('loras', 'Flux2/style.safetensors', None, 'lora', 'flux2', ''),  # known
    ('loras', 'Flux.2/style.safetensors', None, 'lora', 'flux2', ''),  # known
    ('loras', 'FLUX2 Klein/style.safetensors', None, 'lora', 'flux2', ''),  # known
    ('text_encoders', 'umt5-xxl-enc-bf16.safetensors', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'umt5-xxl-enc-fp8_e4m3fn.safetensors', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'wan21_umt5_xxl_fp8_e4m3fn_scaled.safetensors', None, 'text_encoder', 'wan21', ''),  # known
    ('text_encoders', 'open-clip-xlm-roberta-large-vit-huge-14_visual_fp16.safetensors', None, 'text_encoder', 'wan21', ''),  # known
    ('clip_vision', 'open-clip-xlm-roberta-large-vit-huge-14_visual_fp16.safetensors', None, 'clip_vision', 'wan21', ''),  # known
    ('text_encoders', 'umt5-xxl-encoder-Q8_0.gguf', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'qwen_2.5_vl_7b.safetensors', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'qwen_3_8b_fp8mixed.safetensors', None, 'text_encoder', 'flux2', ''),  # known
    ('text_encoders', 'qwen_3_4b_fp8_mixed.safetensors', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'Qwen3-4B-Q8_0.gguf', None, 'text_encoder', '', ''),  # known
    ('text_encoders', 'gemma_2_2b_fp16.safetensors', None, 'text_encoder', 'lumina2', ''),  # known
    ('text_encoders', 'chatglm3-fp16.safetensors', None, 'text_encoder', 'kolors', ''),  # known
    ('text_encoders', 'umt5_base.safetensors', None, 'text_encoder', 'ace_step', ''),  # known
    ('text_encoders', 'qwen_0.6b_ace15.safetensors', None, 'text_encoder', 'ace_step', ''),  # known (fixed)
    ('text_encoders', 'oldt5_xxl_fp16.safetensors', None, 'text_encoder', 'cosmos', ''),  # known
    ('text_encoders', 'mt5xl_fp16.safetensors', None, 'text_encoder', 'hunyuan_dit', ''),  # known
    ('text_encoders', 'gemma_3_12B_it_fp4_mixed.safetensors', None, 'text_encoder', 'ltx2', ''),  # known
    ('text_encoders', 'long_clip_l.safetensors', None, 'text_encoder', '', ''),  # known
    ('vae', 'sdxl.vae.safetensors', None, 'vae', 'sdxl', ''),  # known
    ('vae', 'sd_xl_vae_fp16_fix.safetensors', None, 'vae', 'sdxl', ''),  # known
    ('vae', 'sdxl-vae-fp16-fix.safetensors', None, 'vae', 'sdxl', ''),  # known
    ('vae', 'vae-ft-ema-560000-ema-pruned.safetensors', None, 'vae', 'sd15', ''),  # known
    ('vae', 'ClearVAE_V2.3.safetensors', None, 'vae', 'sd15', ''),  # known
    ('vae', 'flux_vae.safetensors', None, 'vae', 'flux1', ''),  # known
    ('vae', 'FLUX1/ae.safetensors', None, 'vae', 'flux1', ''),  # known
    ('vae', 'Wan2_1_VAE_fp32.safetensors', None, 'vae', 'wan21', ''),  # known
    ('vae', 'Wan2_2_VAE_bf16.safetensors', None, 'vae', 'wan22', ''),  # known
    ('vae', 'hunyuan_video_vae_fp32.safetensors', None, 'vae', 'hunyuan_video', ''),  # known
    ('vae', 'hunyuan_image_2.1_vae_fp16.safetensors', None, 'vae', 'hunyuan_image', ''),  # known
    ('vae', 'hunyuan_image_refiner_vae_fp16.safetensors', None, 'vae', 'hunyuan_image', ''),  # known
    ('vae', 'ltxv-13b-0.9.7-vae-bf16.safetensors', None, 'vae', 'ltxv', ''),  # known
    ('vae', 'ltx-2-19b-video-vae.safetensors', None, 'vae', 'ltx2', ''),  # known
    ('vae', 'LTX2_video_vae_bf16.safetensors', None, 'vae', 'ltx2', ''),  # known
    ('vae', 'LTX2_audio_vae_bf16.safetensors', None, 'vae', 'ltx2', ''),  # known
    ('vae', 'ace_step_1.5_vae.safetensors', None, 'vae', 'ace_step', ''),  # known
    ('vae', 'music_dcae_f8c8.safetensors', None, 'vae', 'ace_step', ''),  # known
    ('vae', 'pixel_space', None, 'vae', 'chroma', ''),  # known
    ('vae', 'lumina_image_2_vae.safetensors', None, 'vae', 'lumina2', ''),  # known
    ('vae', 'z_image_vae.safetensors', None, 'vae', 'lumina2', ''),  # known
    ('vae', 'sd3_vae.safetensors', None, 'vae', 'sd3', ''),  # known
    ('vae_approx', 'taesdxl_decoder.safetensors', None, 'vae_approx', 'sdxl', ''),  # known
    ('vae_approx', 'taew2_1.safetensors', None, 'vae_approx', 'wan21', ''),  # known
    ('vae_approx', 'taehv.safetensors', None, 'vae_approx', 'hunyuan_video', ''),  # known
    ('vae_approx', 'lighttaew2_2.safetensors', None, 'vae_approx', 'wan22', ''),  # known
    ('clip_vision', 'llava_llama3_vision.safetensors', None, 'clip_vision', 'hunyuan_video', ''),  # known
    ('clip_vision', 'siglip2_so400m_patch16_naflex.safetensors', None, 'clip_vision', '', ''),  # known
    ('clip_vision', 'model.safetensors', None, 'clip_vision', '', ''),  # known
    ('controlnet', 'diffusion_pytorch_model_promax.safetensors', None, 'controlnet', 'sdxl', ''),  # known (fixed)
    ('controlnet', 'controlnet-union-sdxl-1.0_promax.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'xinsir-controlnet-union-sdxl-1.0-promax.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'controlnet-openpose-sdxl-1.0.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'FLUX.1-dev-ControlNet-Union-Pro-2.0.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'Shakker-Labs_FLUX.1-dev-ControlNet-Union-Pro.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'flux_dev_controlnet_union_pro_2.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'instantx_flux_canny.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'InstantX_FLUX.1-dev-Controlnet-Union.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'jasperai_Flux.1-dev-Controlnet-Upscaler.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'control_instant_id_sdxl.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'instantid-controlnet.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'control_v11p_sd15_openpose.pth', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'control_sd15_canny.pth', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'control_v11f1e_sd15_tile.pth', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'control_v1p_sd15_brightness.safetensors', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'control_v1p_sd15_qrcode_monster.safetensors', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 't2i-adapter_diffusers_xl_canny.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'coadapter-style-sd15v1.pth', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'ttplanetSDXLControlnet_v20Fp16.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'bdsqlsz_controlllite_xl_canny.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'kohya_controllllite_xl_canny.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'Wan21_Uni3C_controlnet_fp16.safetensors', None, 'controlnet', 'wan21', ''),  # known
    ('controlnet', 'hunyuan_dit_1.2_controlnet_canny.safetensors', None, 'controlnet', 'hunyuan_dit', ''),  # known
    ('controlnet', 'kolors_controlnet_canny.safetensors', None, 'controlnet', 'kolors', ''),  # known
    ('controlnet', 'illustriousXLCanny_v10.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'noobaiXLControlnet_epsDepth.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'ioclab_sd15_recolor.safetensors', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'mistoLine_rank256.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'controlnet++_union_sd15.safetensors', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'depth-anything-v2-controlnet-sdxl.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'flux-depth-controlnet-v3.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('controlnet', 'diffusers_xl_depth_full.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'sai_xl_depth_256lora.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'thibaud_xl_openpose.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'thibaud_xl_openpose_256lora.safetensors', None, 'controlnet', 'sdxl', ''),  # known
    ('controlnet', 'lllyasvielcontrol_v11p_sd15_openpose.safetensors', None, 'controlnet', 'sd15', ''),  # known
    ('controlnet', 'z_image_turbo_fun_controlnet_union.safetensors', None, 'controlnet', 'lumina2', ''),  # known
    ('model_patches', 'Z-Image-Turbo-Fun-Controlnet-Union.safetensors', None, 'model_patch', 'lumina2', ''),  # known
    ('model_patches', 'qwen_image_depth_diffsynth_controlnet.safetensors', None, 'model_patch', 'qwen_image', ''),  # known
    ('ipadapter', 'noobIPAMARK1_mark1.safetensors', None, 'ipadapter', 'sdxl', ''),  # known
    ('ipadapter', 'ip-adapter.bin', None, 'ipadapter', '', ''),  # known
    ('ipadapter', 'ip-adapter_pulid_sdxl_fp16.safetensors', None, 'ipadapter', 'sdxl', ''),  # known
    ('ipadapter', 'flux-ip-adapter.safetensors', None, 'ipadapter', 'flux1', ''),  # known
    ('instantid', 'ip-adapter.bin', None, 'ipadapter', 'sdxl', ''),  # known
    ('pulid', 'ip-adapter_pulid_sdxl_fp16.safetensors', None, 'ipadapter', 'sdxl', ''),  # known
    ('animatediff_models', 'hsxl_temporal_layers.f16.safetensors', None, 'motion_module', 'sdxl', 'text_to_video'),  # known
    ('animatediff_models', 'AnimateLCM_sd15_t2v.ckpt', None, 'motion_module', 'sd15', 'text_to_video'),  # known
    ('animatediff_models', 'animatediffMotion_v15V2.ckpt', None, 'motion_module', 'sd15', 'text_to_video'),  # known
    ('animatediff_models', 'temporaldiff-v1-animatediff.safetensors', None, 'motion_module', 'sd15', 'text_to_video'),  # known
    ('animatediff_models', 'sd15_t2v_beta.ckpt', None, 'motion_module', 'sd15', 'text_to_video'),  # known
    ('animatediff_models', 'mm_sd15_v3.safetensors', None, 'motion_module', 'sd15', 'text_to_video'),  # known
    ('animatediff_motion_lora', 'LiquidAF-0-1.safetensors', None, 'lora', 'sd15', ''),  # known
    ('style_models', 't2iadapter_style_sd14v1.pth', None, 'style_model', 'sd15', ''),  # known
    ('hypernetworks', 'sd15_hypernet.pt', None, 'hypernetwork', 'sd15', ''),  # known
    ('embeddings', 'EasyNegative.safetensors', None, 'embedding', 'sd15', ''),  # known
    ('embeddings', 'badhandv4.pt', None, 'embedding', 'sd15', ''),  # known
    ('embeddings', 'negativeXL_D.safetensors', None, 'embedding', 'sdxl', ''),  # known
    ('embeddings', 'ac_neg1.safetensors', None, 'embedding', '', ''),  # known
    ('embeddings', 'unaestheticXL_Alb2.safetensors', None, 'embedding', 'sdxl', ''),  # known
    ('embeddings', 'FastNegativeV2.pt', None, 'embedding', 'sd15', ''),  # known
    ('embeddings', 'verybadimagenegative_v1.3.pt', None, 'embedding', 'sd15', ''),  # known
    ('embeddings', 'epiCNegative.pt', None, 'embedding', 'sd15', ''),  # known (fixed)
    ('embeddings', 'CyberRealistic_Negative-neg.pt', None, 'embedding', 'sd15', ''),  # known
    ('embeddings', 'Stable_Yogis_PDXL_Negatives-neg.safetensors', None, 'embedding', 'sdxl', ''),  # known (fixed)
    ('embeddings', 'zPDXL3.safetensors', None, 'embedding', 'sdxl', ''),  # known (fixed)
    ('embeddings', 'bad-artist.pt', None, 'embedding', 'sd15', ''),  # known (fixed)
    ('embeddings', 'BadDream.pt', None, 'embedding', 'sd15', ''),  # known
    ('embeddings', 'DeepNegativeV1.x_V175T.pt', None, 'embedding', 'sd15', ''),  # known (fixed)
    ('embeddings', 'SimplePositiveXLv2.safetensors', None, 'embedding', 'sdxl', ''),  # known (fixed)
    ('embeddings', 'bad_pictures.pt', None, 'embedding', 'sd15', ''),  # known (fixed)
    ('upscale_models', '4x-ClearRealityV1.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '4xLSDIR.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '2x_NMKD-UpgifLiteV2_210k.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '1x-ITF-SkinDiffDetail-Lite-v1.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '4xFaceUpDAT.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '4x_NickelbackFS_72000_G.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', 'SwinIR_4x.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', 'BSRGAN.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', 'RealESRGAN_x4plus_anime_6B.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '4x-UltraSharpV2.safetensors', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '4xNomos8kSCHAT-L.pth', None, 'upscale', '', 'upscale'),  # known
    ('upscale_models', '4x_RealisticRescaler_100000_G.pth', None, 'upscale', '', 'upscale'),  # known
    ('latent_upscale_models', 'ltx-2-spatial-upscaler-x2-1.0.safetensors', None, 'latent_upscale', 'ltx2', 'upscale'),  # known
    ('seedvr2', 'seedvr2_ema_7b_fp16.safetensors', None, 'upscale', '', 'upscale'),  # known
    ('SEEDVR2', 'seedvr2_ema_3b-Q8_0.gguf', None, 'upscale', '', 'upscale'),  # known
    ('wav2vec2', 'wav2vec2-chinese-base_fp16.safetensors', None, 'audio_encoder', '', ''),  # known
    ('insightface', 'inswapper_128.onnx', None, 'unknown', '', ''),  # known
    ('facerestore_models', 'codeformer-v0.1.0.pth', None, 'unknown', '', ''),  # known
    ('facerestore_models', 'GFPGANv1.4.pth', None, 'unknown', '', ''),  # known
    ('ultralytics', 'bbox/face_yolov8m.pt', None, 'unknown', '', ''),  # known
    ('sams', 'sam_vit_b_01ec64.pth', None, 'unknown', '', ''),  # known
    ('sam2', 'sam2.1_hiera_large.safetensors', None, 'unknown', '', ''),  # known
    ('LLM', 'Florence-2-large/model.safetensors', None, 'unknown', '', ''),  # known
    ('BiRefNet', 'BiRefNet-general-epoch_244.pth', None, 'unknown', '', ''),  # known
    ('RMBG', 'RMBG-1.4/model.pth', None, 'unknown', '', ''),  # known
    ('depthanything', 'depth_anything_v2_vitl_fp32.safetensors', None, 'unknown', '', ''),  # known
    ('onnx', 'human-parts.onnx', None, 'unknown', '', ''),  # known
    ('reactor', 'faces/face.safetensors', None, 'unknown', '', ''),  # known
    ('mmaudio', 'mmaudio_large_44k_v2_fp16.safetensors', None, 'unknown', '', ''),  # known
    ('CogVideo', 'CogVideoX-5b-1.5-I2V.safetensors', None, 'diffusion_model', 'cogvideox', 'image_to_video'),  # known
    ('diffusers', 'stable-diffusion-xl-base-1.0/unet/diffusion_pytorch_model.safetensors', None, 'unknown', 'sdxl', ''),  # known
    ('unet', 'flux1-dev-Q8_0.gguf', None, 'diffusion_model', 'flux1', 'text_to_image'),  # known
    ('clip', 't5xxl_fp8_e4m3fn.safetensors', None, 'text_encoder', '', ''),  # known
    ('clip', 'clip_l.safetensors', None, 'text_encoder', '', ''),  # known
    ('xlabs', 'controlnets/flux-canny-controlnet-v3.safetensors', None, 'controlnet', 'flux1', ''),  # known
    ('xlabs_ipadapters', 'ip_adapter.safetensors', None, 'ipadapter', 'flux1', ''),  # known
    ('loras', 'v2_lora_PanLeft.ckpt', None, 'lora', 'sd15', ''),  # known
]


def _snapshot(rows: list[tuple[str, str, int | None, str, str, str]]) -> cf.Snapshot:
    folders = sorted({r[0] for r in rows})
    responses: dict[str, object] = {"/object_info": {}, "/models": folders}
    for folder in folders:
        mine = [r for r in rows if r[0] == folder]
        responses[f"/models/{folder}"] = [r[1] for r in mine]
        responses[f"/experiment/models/{folder}"] = [
            {"name": r[1], "size": r[2], "modified": 0, "pathIndex": 0} for r in mine if r[2]
        ]
    return cf.Snapshot(url="http://127.0.0.1:1", responses=responses)


@pytest.fixture(scope="module")
def models() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = cf.Discovery(_snapshot(ROWS), warn=False).models
    return frame.set_index(["folder", "name"])


def test_table_is_well_formed() -> None:
    keys = [(r[0], r[1]) for r in ROWS]
    assert len(keys) == len(set(keys)), "duplicate (folder, name) rows"
    assert len(ROWS) >= 150


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r[0]}/{r[1]}"[:80])
def test_real_name(models: pd.DataFrame, row: tuple[str, str, int | None, str, str, str]) -> None:
    folder, name, size, kind, family, capabilities = row
    got = models.loc[(folder, name)]
    assert (got["kind"], got["family"], ";".join(sorted(got["capabilities"]))) == (kind, family, capabilities)
    assert got["vram_gb"] >= 0
    if size and not name.endswith(".gguf"):
        # the server's size is the weights' size: 16-bit loading can halve an fp32 file, never more
        assert got["vram_gb"] >= 0.45 * size / GIB - 0.01  # vram_gb is rounded to 0.01


def test_known_accuracy_floor(models: pd.DataFrame) -> None:
    """A summary that fails loudly if a rule edit breaks many real names at once."""
    wrong = [
        r for r in ROWS
        if (models.loc[(r[0], r[1]), "kind"], models.loc[(r[0], r[1]), "family"]) != (r[3], r[4])
    ]  # fmt: skip
    assert not wrong, wrong[:10]


def test_gguf_block_quant_outranks_a_float_tag() -> None:
    """city96-style "x_bf16-Q8_0.gguf": bf16 names the source weights, Q8_0 the file."""
    import warnings

    import comfyframe as cf

    names = ["hidream_e1_full_bf16-Q8_0.gguf", "hidream_e1_full-Q8_0.gguf", "flux1-dev-BF16.gguf"]
    responses = {"/object_info": {}, "/models": ["unet_gguf"], "/models/unet_gguf": names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = cf.Discovery(cf.Snapshot(url="http://x:1", responses=responses), warn=False).models
    quant = dict(zip(models["name"], models["quant"]))
    vram = dict(zip(models["name"], models["vram_gb"]))
    assert quant == {names[0]: "Q8_0", names[1]: "Q8_0", names[2]: "BF16"}
    assert vram[names[0]] == vram[names[1]]


@pytest.mark.parametrize(
    "name",
    ["hunyuan3d-dit-v2_fp16.safetensors", "hunyuan_3d_v2.1.safetensors", "aura_flow_0.3.safetensors",
     "Sana_1600M_1024px.safetensors", "stable_zero123.ckpt"],
)
def test_models_outside_the_vocabulary_are_not_guessed_by_size(name: str) -> None:
    """An SDXL-sized checkpoint of another family stays unknown instead of being taken for SDXL."""
    size = 6_900_000_000  # inside the SDXL all-in-one size band
    responses = {
        "/object_info": {}, "/models": ["checkpoints"], "/models/checkpoints": [name, "merge_v3.safetensors"],
        "/experiment/models/checkpoints": [
            {"name": n, "size": size, "modified": 0, "pathIndex": 0} for n in (name, "merge_v3.safetensors")
        ],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = cf.Discovery(cf.Snapshot(url="http://x:1", responses=responses), warn=False).models
    family = dict(zip(models["name"], models["family"]))
    assert family[name] == ""
    assert family["merge_v3.safetensors"] == "sdxl"  # the size band still speaks for unnamed merges


@pytest.mark.parametrize(
    ("name", "family"),
    [("DreamShaperXLTurbo.safetensors", "sdxl"), ("hassakuXLIllustrious_v10.safetensors", "sdxl"),
     ("SDXLLightning_4step.safetensors", "sdxl"), ("sd_xl_base_1.0.safetensors", "sdxl"),
     ("dreamshaper_8.safetensors", "sd15")],
)
def test_an_acronym_glued_to_a_word_is_split(name: str, family: str) -> None:
    """"XLTurbo" is "XL Turbo": the SDXL token must not vanish into the next word."""
    responses = {"/object_info": {}, "/models": ["checkpoints"], "/models/checkpoints": [name]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = cf.Discovery(cf.Snapshot(url="http://x:1", responses=responses), warn=False).models
    assert models.loc[0, "family"] == family
