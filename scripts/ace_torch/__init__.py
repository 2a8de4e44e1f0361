"""Python helpers shared by the ACE-for-the-JVM fixture and training scripts.

``ace_torch.unet`` holds the guided-diffusion-style UNet used by the shipped
Fashion-MNIST diffusion model and by the ONNX test fixtures.
"""
