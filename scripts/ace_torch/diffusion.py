"""Gaussian diffusion helpers matching the reference ACE implementation: float64 linear
schedule scaled by 1000/T, learned-range variance, the Improved-DDPM hybrid loss, respacing and
ancestral sampling.  Tensors going in and out of the model are float32; schedule arithmetic is float64.
"""
import math

import numpy as np
import torch


def linear_betas(T: int) -> np.ndarray:
    s = 1000.0 / T
    return np.linspace(s * 1e-4, s * 0.02, T, dtype=np.float64)


def respaced_timesteps(T: int, n: int) -> np.ndarray:
    """Original timesteps round_half_even(linspace(0, T-1, n)) (np.round rounds half to even)."""
    return np.round(np.linspace(0, T - 1, n)).astype(np.int64)


class Diffusion:
    """DDPM over a (possibly respaced) set of timesteps.

    ``betas`` are the (respaced) betas; ``timestep_map[k]`` is the original timestep given to the model.
    """

    def __init__(self, betas: np.ndarray, timestep_map=None):
        betas = np.asarray(betas, dtype=np.float64)
        self.betas = betas
        self.T = len(betas)
        self.timestep_map = np.arange(self.T) if timestep_map is None else np.asarray(timestep_map)
        alphas = 1.0 - betas
        self.abar = np.cumprod(alphas)
        self.abar_prev = np.append(1.0, self.abar[:-1])
        self.sqrt_abar = np.sqrt(self.abar)
        self.sqrt_1m_abar = np.sqrt(1.0 - self.abar)
        self.sqrt_recip_abar = np.sqrt(1.0 / self.abar)
        self.sqrt_recipm1_abar = np.sqrt(1.0 / self.abar - 1.0)
        self.post_var = betas * (1.0 - self.abar_prev) / (1.0 - self.abar)
        self.post_logvar_clipped = np.log(np.append(self.post_var[1], self.post_var[1:]))
        self.coef1 = betas * np.sqrt(self.abar_prev) / (1.0 - self.abar)
        self.coef2 = (1.0 - self.abar_prev) * np.sqrt(alphas) / (1.0 - self.abar)
        self.log_betas = np.log(betas)

    @classmethod
    def linear(cls, T: int):
        return cls(linear_betas(T))

    @classmethod
    def respaced(cls, T: int, n: int):
        base = cls.linear(T)
        ts = respaced_timesteps(T, n)
        abar_prev, betas = 1.0, []
        for t in ts:
            betas.append(1.0 - base.abar[t] / abar_prev)
            abar_prev = base.abar[t]
        return cls(np.array(betas), ts)

    @staticmethod
    def _g(arr, t, x):
        """arr[t] as float32 tensor broadcast to x's rank."""
        v = torch.from_numpy(arr).to(x.device)[t].float()
        return v.reshape(-1, *([1] * (x.dim() - 1)))

    def q_sample(self, x0, t, noise):
        return self._g(self.sqrt_abar, t, x0) * x0 + self._g(self.sqrt_1m_abar, t, x0) * noise

    def q_posterior(self, x0, xt, t):
        mean = self._g(self.coef1, t, xt) * x0 + self._g(self.coef2, t, xt) * xt
        return mean, self._g(self.post_logvar_clipped, t, xt)

    def model_t(self, t):
        return torch.from_numpy(self.timestep_map)[t]

    def p_mean_variance(self, out, xt, t, clip=True):
        """UNet output [N, 2C] (eps, v) -> (mean, log var, x0 prediction, eps)."""
        C = xt.shape[1]
        eps, v = out[:, :C], out[:, C:]
        frac = (v + 1) / 2
        logvar = frac * self._g(self.log_betas, t, xt) + (1 - frac) * self._g(self.post_logvar_clipped, t, xt)
        x0 = self._g(self.sqrt_recip_abar, t, xt) * xt - self._g(self.sqrt_recipm1_abar, t, xt) * eps
        if clip:
            x0 = x0.clamp(-1, 1)
        mean, _ = self.q_posterior(x0, xt, t)
        return mean, logvar, x0, eps

    def training_losses(self, model, x0, t, noise):
        """Improved-DDPM hybrid loss: mean-squared eps error + (T/1000) * VLB term in bits/dim with a
        stop-gradient on the mean (i.e. lambda = 0.001 times L_vlb = T * E_t[L_t]).  Returns per-sample
        (loss, mse, vb)."""
        xt = self.q_sample(x0, t, noise)
        out = model(xt, self.model_t(t))
        C = x0.shape[1]
        eps = out[:, :C]
        mse = ((eps - noise) ** 2).mean(dim=(1, 2, 3))
        frozen = torch.cat([eps.detach(), out[:, C:]], dim=1)
        mean, logvar, _, _ = self.p_mean_variance(frozen, xt, t, clip=False)
        tmean, tlogvar = self.q_posterior(x0, xt, t)
        kl = normal_kl(tmean, tlogvar, mean, logvar).mean(dim=(1, 2, 3)) / math.log(2.0)
        nll = -discretized_gaussian_log_likelihood(x0, mean, 0.5 * logvar).mean(dim=(1, 2, 3)) / math.log(2.0)
        vb = torch.where(t == 0, nll, kl) * (self.T / 1000.0)
        return mse + vb, mse, vb

    @torch.no_grad()
    def sample(self, model, shape, generator=None, progress=None):
        """Ancestral sampling from pure noise over all (respaced) steps with learned variance."""
        x = torch.randn(*shape, generator=generator)
        for k in reversed(range(self.T)):
            t = torch.full((shape[0],), k, dtype=torch.long)
            mean, logvar, _, _ = self.p_mean_variance(model(x, self.model_t(t)), x, t, clip=True)
            if k > 0:
                x = mean + torch.exp(0.5 * logvar) * torch.randn(*shape, generator=generator)
            else:
                x = mean
            if progress:
                progress(k)
        return x


def normal_kl(mean1, logvar1, mean2, logvar2):
    return 0.5 * (-1.0 + logvar2 - logvar1 + torch.exp(logvar1 - logvar2)
                  + (mean1 - mean2) ** 2 * torch.exp(-logvar2))


def approx_standard_normal_cdf(x):
    return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def discretized_gaussian_log_likelihood(x, means, log_scales):
    """Log-likelihood of x in [-1, 1] quantised to 256 levels under a Gaussian (as in guided-diffusion)."""
    centered = x - means
    inv_stdv = torch.exp(-log_scales)
    cdf_plus = approx_standard_normal_cdf(inv_stdv * (centered + 1.0 / 255.0))
    cdf_min = approx_standard_normal_cdf(inv_stdv * (centered - 1.0 / 255.0))
    log_cdf_plus = torch.log(cdf_plus.clamp(min=1e-12))
    log_one_minus_cdf_min = torch.log((1.0 - cdf_min).clamp(min=1e-12))
    cdf_delta = cdf_plus - cdf_min
    return torch.where(x < -0.999, log_cdf_plus,
                       torch.where(x > 0.999, log_one_minus_cdf_min, torch.log(cdf_delta.clamp(min=1e-12))))
