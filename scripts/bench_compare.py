#!/usr/bin/python3
"""Side-by-side timing of the ACE hot paths: the Java JMH suite (benchmarks/, org.acejvm.benchmarks.AceBenchmarks)
against the same workloads in PyTorch (Debian torch 1.13), same models (from the same ONNX / weight files, see
bench_models.py), same shapes, same thread count. Java and Python runs alternate: workload 1 in Java, workload 1 in
PyTorch, workload 2 in Java, ...

Before timing, every model is checked against the Java outputs (UNet output, F_tau output with the Java noise,
F_tau input gradient, classifier logits): max |difference| <= 1e-4 * max(1, max |value|), or the script stops.

  /usr/bin/python3 scripts/bench_compare.py --quick      # fmnist, batch 1 and 8: UNet, F_tau, attack step;
                                                         # compares the ratios with benchmarks/RESULTS.md (guard)
  /usr/bin/python3 scripts/bench_compare.py --record     # the full-ish run; rewrites benchmarks/RESULTS.md
  options: --engine plan|samediff, --threads 2, --java-omp-threads 1, --models fmnist,celeba, --workloads unetForward,filterForward,..., --batches 1,8,
           --celeba-batches 1, --explain-batches 1 (batch 8 there takes many minutes), --memory fmnist:8

Needs the project installed (mvn -B -q install -DskipTests; benchmarks/run-quick.sh does it). Java times are the
JMH averages (single shot for explain); PyTorch times the mean of timed calls after warm-up calls.
FLOPs: conv and matrix-product FLOPs (aten::conv2d, addmm, mm, bmm; 2 per multiply-add) of the forward passes,
counted with torch.profiler(with_flops=True); a backward pass is counted as one more forward (the input gradient;
no weight gradients are needed). "% peak": the achieved rate against this machine's measured sgemm rate (2048x2048,
same threads; ND4J's for Java, torch.mm's for PyTorch).
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_models as BM  # noqa: E402
from make_filter_reference import Schedule, ftau, inpaint, p_mean_logvar  # noqa: E402,F401

RESULTS = os.path.join(ROOT, "benchmarks", "RESULTS.md")
QUICK_OUT = os.path.join(ROOT, "benchmarks", "target", "quick-results.md")
WORKLOADS = ["unetForward", "filterForward", "attackStep", "refine", "explain"]
S, T, RESPACING, FRACTION = 5, 500, "50", 0.1
UNET_STEP = 4
TARGET = 1
MASK = {"fmnist": (5, 0.15), "celeba": (15, 0.15)}
ITERATIONS = 50  # Explainer default (PGD)
LAMBDA1, STEP = 0.001, 1.0 / 255
JVM = ["--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G"]


# ------------------------------------------------------------------------------------------- PyTorch workloads

class Torch:
    def __init__(self, name, batch):
        self.name, self.batch = name, batch
        self.unet, _ = BM.load_unet(name)
        self.clf = BM.load_classifier(name)
        _, _, self.c, self.size = BM.MODELS[name]
        self.sched = Schedule("linear", T, RESPACING)
        g = torch.Generator().manual_seed(42)
        self.x = torch.rand(batch, self.c, self.size, self.size, generator=g)
        self.pre = self.x.clone()
        a, b = self.size * 3 // 8, self.size * 5 // 8
        self.pre[:, :, a:b, a:b] = 1.0
        self.g = torch.Generator().manual_seed(1)
        self.t = torch.full((batch,), float(self.sched.timestep_map[UNET_STEP]))
        self.target = torch.full((batch,), TARGET, dtype=torch.int64)

    def noises(self, n):
        return torch.randn((n, self.batch, self.c, self.size, self.size), generator=self.g)

    def unetForward(self):
        with torch.no_grad():
            return self.unet(2 * self.x - 1, self.t)

    def filterForward(self):
        with torch.no_grad():
            return ftau(self.unet, self.sched, self.x, S, True, self.noises(S), "learned_range", self.c)

    def _objective_step(self, xa):
        """one forward+backward of the attack objective and the PGD update (eps 1: only the [0, 1] clamp)."""
        xa = xa.detach().requires_grad_(True)
        logits = self.clf(ftau(self.unet, self.sched, xa, S, True, self.noises(S), "learned_range", self.c))
        loss = F.cross_entropy(logits, self.target) + LAMBDA1 * (xa - self.x).abs().sum()
        loss.backward()
        return (xa - STEP * xa.grad.sign()).clamp(0, 1).detach()

    def attackStep(self):
        with torch.no_grad():
            torch.softmax(self.clf(self.x), 1)
        xa = self._objective_step(self.x)
        with torch.no_grad():
            torch.softmax(self.clf(xa), 1)
        return xa

    def _refine(self, pre):
        dilation, threshold = MASK[self.name]
        with torch.no_grad():
            m = (self.x - pre).abs().sum(1, keepdim=True)
            mx = m.amax(dim=(1, 2, 3), keepdim=True)
            m = torch.where(mx > 0, m / mx.clamp_min(1e-30), m)
            keep = (F.max_pool2d(m, dilation, 1, dilation // 2) < threshold).float()
            out, _ = inpaint(self.unet, self.sched, self.x, pre, keep, S, iter(lambda: self.noises(1)[0], None),
                             "learned_range", self.c)
            return out

    def refine(self):
        return self._refine(self.pre)

    def explain(self):
        with torch.no_grad():
            torch.softmax(self.clf(self.x), 1)
        xa = self.x
        for _ in range(ITERATIONS):
            xa = self._objective_step(xa)
        with torch.no_grad():
            torch.softmax(self.clf(xa), 1)
        out = self._refine(xa)
        with torch.no_grad():
            return torch.softmax(self.clf(out), 1)

    # ---- FLOPs (forward conv/matmul FLOPs from the profiler; backward = one more forward) ----
    def _flops(self, fn):
        from torch.profiler import profile
        with torch.no_grad(), profile(with_flops=True) as p:
            fn()
        return sum(e.flops for e in p.key_averages()
                   if e.key in ("aten::conv2d", "aten::addmm", "aten::mm", "aten::bmm", "aten::baddbmm") and e.flops)

    def flops(self, workload):
        unet = self._flops(self.unetForward)
        clf = self._flops(lambda: self.clf(self.x))
        ftau_f = S * unet
        dilation, _ = MASK[self.name]
        if workload == "unetForward":
            return unet
        if workload == "filterForward":
            return ftau_f
        if workload == "attackStep":
            return 2 * clf + 2 * (ftau_f + clf)
        if workload == "refine":
            return S * unet
        if workload == "explain":
            return 2 * clf + ITERATIONS * 2 * (ftau_f + clf) + S * unet + clf
        raise ValueError(workload)


def check_agreement(name, java_dir):
    """Compares the PyTorch models with the Java outputs Agreement wrote to java_dir; returns (label, max diff)."""
    def npy(f):
        return torch.from_numpy(np.load(os.path.join(java_dir, f + ".npy")))

    unet, _ = BM.load_unet(name)
    clf = BM.load_classifier(name)
    _, _, c, _ = BM.MODELS[name]
    sched = Schedule("linear", T, RESPACING)
    x = npy("images")
    noises = torch.stack([npy("ftau_noise_%d" % i) for i in range(S)])
    out = {}
    with torch.no_grad():
        out["unet output"] = (unet(npy("unet_x"), npy("unet_t")), npy("unet_out"))
        out["F_tau output"] = (ftau(unet, sched, x, S, True, noises, "learned_range", c), npy("ftau_out"))
        out["classifier logits"] = (clf(x), npy("logits"))
    if not os.path.exists(os.path.join(java_dir, "ftau_grad.npy")):
        print(f"  agreement {name}: no Java F_tau gradient to compare (nograd)")
    xg = x.clone().requires_grad_(True)
    if os.path.exists(os.path.join(java_dir, "ftau_grad.npy")):
        (ftau(unet, sched, xg, S, True, noises, "learned_range", c) * npy("upstream")).sum().backward()
        out["F_tau input gradient"] = (xg.grad, npy("ftau_grad"))
    res = []
    for label, (a, b) in out.items():
        d = (a - b).abs().max().item()
        scale = max(1.0, b.abs().max().item())
        ok = d <= 1e-4 * scale
        res.append((label, d, scale, ok))
        print(f"  agreement {name}: {label}: max |torch - java| = {d:.2e} (max |java| = {scale:.3g}) "
              f"{'OK' if ok else 'FAILED'}", flush=True)
    if not all(r[3] for r in res):
        sys.exit(f"{name}: PyTorch and Java disagree by more than 1e-4; not timing")
    return res


def time_torch(fn, warmup, min_reps, min_seconds):
    for _ in range(warmup):
        fn()
    ts = []
    start = time.perf_counter()
    while len(ts) < min_reps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.mean(ts), min(ts), len(ts)


def torch_sgemm(n=2048, reps=10):
    a, b = torch.rand(n, n), torch.rand(n, n)
    for _ in range(3):
        torch.mm(a, b)
    best = min(_timed(lambda: torch.mm(a, b)) for _ in range(reps))
    return 2.0 * n ** 3 / best / 1e9


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------------------- Java side

def java_cp():
    cp_file = os.path.join(ROOT, "benchmarks", "target", "cp.txt")
    if not os.path.exists(cp_file):
        subprocess.run(["mvn", "-B", "-q", "-o", "-pl", "benchmarks", "dependency:build-classpath",
                        "-Dmdep.outputFile=target/cp.txt"], cwd=ROOT, check=True)
    with open(cp_file) as f:
        entries = f.read().strip().split(":")
    # this checkout's own modules, not the org.acejvm jars in ~/.m2 (which other checkouts overwrite on install)
    own = []
    for e in entries:
        m = re.search(r"/org/acejvm/([\w-]+)/", e)
        classes = os.path.join(ROOT, m.group(1), "target", "classes") if m else None
        own.append(classes if classes and os.path.isdir(classes) else e)
    return ":".join([os.path.join(ROOT, "benchmarks", "target", "classes")] + own)


def java(main, args, env, capture=True):
    cmd = ["java"] + JVM + ["-cp", java_cp(), main] + [str(a) for a in args]
    r = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout[-4000:])
        raise RuntimeError(f"{main} failed ({r.returncode})")
    return r.stdout


def jmh(workload, model, batches, quick, env):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    args = [f"AceBenchmarks.{workload}$", "-p", f"model={model}", "-p", "batch=" + ",".join(map(str, batches)),
            "-rf", "json", "-rff", out, "-jvmArgs", " ".join(JVM)]
    if workload != "explain":
        args += ["-wi", "1", "-i", "5", "-w", "3s", "-r", "2s"] if quick else []
    java("org.openjdk.jmh.Main", args, env)
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    res = {}
    for r in data:
        b = int(r["params"]["batch"])
        pm = r["primaryMetric"]
        scale = 1000.0 if pm["scoreUnit"].startswith("s/") else 1.0
        err = pm.get("scoreError")
        res[b] = (pm["score"] * scale, (err * scale) if isinstance(err, (int, float)) and err == err else None)
    return res


# ------------------------------------------------------------------------------------------- report

def machine():
    model, cpus = platform.processor(), os.cpu_count()
    try:
        lscpu = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r"Model name:\s*(.+)", lscpu)
        model = m.group(1).strip() if m else model
        c = re.search(r"^CPU\(s\):\s*(\d+)", lscpu, re.M)
        cpus = int(c.group(1)) if c else cpus
    except OSError:
        pass
    return model, cpus


def read_ratios(path):
    ratios = {}
    if not os.path.exists(path):
        return ratios
    for line in open(path):
        m = re.match(r"\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*(\d+)\s*\|[^|]*\|[^|]*\|\s*([\d.]+)\s*\|", line)
        if m:
            ratios[(m.group(1), m.group(2), int(m.group(3)))] = float(m.group(4))
    return ratios


def guard(ratios, recorded):
    """Prints a WARNING line for every workload whose Java/PyTorch ratio is more than 20% above the recorded one."""
    warned = 0
    for key, ratio in ratios.items():
        if key not in recorded:
            print(f"note: {key[0]} {key[1]} batch {key[2]}: ratio {ratio:.2f}, nothing recorded to compare with")
        elif ratio > 1.2 * recorded[key]:
            warned += 1
            print(f"WARNING: {key[0]} {key[1]} batch {key[2]}: Java/PyTorch ratio {ratio:.2f} is more than 20% above "
                  f"the recorded {recorded[key]:.2f} (benchmarks/RESULTS.md)", flush=True)
        else:
            print(f"ok: {key[0]} {key[1]} batch {key[2]}: ratio {ratio:.2f} (recorded {recorded[key]:.2f})")
    return warned


def table(rows, peaks):
    lines = ["| workload | model | batch | Java (ms) | PyTorch (ms) | ratio Java/PyTorch | GFLOP | Java GFLOP/s (% ND4J sgemm peak) "
             "| PyTorch GFLOP/s (% torch sgemm peak) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        jg = r["flops"] / r["java_ms"] / 1e6
        tg = r["flops"] / r["torch_ms"] / 1e6
        err = f" ± {r['java_err']:.0f}" if r["java_err"] else ""
        lines.append(f"| {r['workload']} | {r['model']} | {r['batch']} | {r['java_ms']:.1f}{err} | {r['torch_ms']:.1f} | "
                     f"{r['java_ms'] / r['torch_ms']:.2f} | {r['flops'] / 1e9:.2f} | {jg:.1f} ({100 * jg / peaks['nd4j']:.1f}%) "
                     f"| {tg:.1f} ({100 * tg / peaks['torch']:.1f}%) |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--record", action="store_true", help="write benchmarks/RESULTS.md")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--java-omp-threads", type=int, default=1,
                    help="OpenMP threads per Java plan worker (default 1: the plan runs one batch part per core)")
    ap.add_argument("--engine", choices=["plan", "samediff"], default=None,
                    help="the Java graph engine (-Dace.engine); default: the library's (the plan on the CPU)")
    ap.add_argument("--models", default=None)
    ap.add_argument("--workloads", default=None)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--celeba-batches", default="1", help="batches for the celeba model (a subset of --batches)")
    ap.add_argument("--explain-batches", default="1", help="batches for the whole explanation (a subset of --batches)")
    ap.add_argument("--memory", default=None, help="model:batch pairs for the attack-step memory peak, e.g. fmnist:8")
    ap.add_argument("--skip", default="explain:celeba",
                    help="workload:model pairs not to run (default: the whole celeba explanation, many minutes)")
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--check", default=None, metavar="FILE",
                    help="only compare the ratios of a results file (e.g. benchmarks/target/quick-results.md) with RESULTS.md")
    args = ap.parse_args()
    if args.check:
        guard(read_ratios(args.check), read_ratios(RESULTS))
        return
    torch.set_num_threads(args.threads)
    if args.engine:
        JVM.append(f"-Dace.engine={args.engine}")
    if args.memory_child:
        name, b = args.memory_child.split(":")
        w = Torch(name, int(b))
        for _ in range(3):
            w.attackStep()
        print("MEMORY rss_peak_mb=%.0f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))
        return
    models = (args.models or ("fmnist" if args.quick else "fmnist,celeba")).split(",")
    workloads = (args.workloads or ("unetForward,filterForward,attackStep" if args.quick else ",".join(WORKLOADS))).split(",")
    batches = [int(b) for b in args.batches.split(",")]
    celeba_batches = [int(b) for b in args.celeba_batches.split(",")]
    explain_batches = [int(b) for b in args.explain_batches.split(",")]
    memory = args.memory if args.memory is not None else ("" if args.quick else "fmnist:8")
    # Java gets the same cores as PyTorch: one plan worker per core (-Dace.plan.threads), each with
    # --java-omp-threads OpenMP threads (a batch of one runs whole on the calling thread with that many)
    JVM.append(f"-Dace.plan.threads={args.threads}")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.java_omp_threads), OMP_WAIT_POLICY="PASSIVE")
    peak_env = dict(env, OMP_NUM_THREADS=str(args.threads))
    started = time.time()
    print(f"torch {torch.__version__}, {args.threads} threads; models {models}, workloads {workloads}, batches {batches}",
          flush=True)

    agreement = {}
    for name in models:
        d = tempfile.mkdtemp(prefix="ace-agree-")
        # celeba: batch 1 and no F_tau gradient (the Java gradient graph passes the 12 GB off-heap limit there)
        java("org.acejvm.benchmarks.Agreement", [name, 1, d, "nograd"] if name == "celeba" else [name, 2, d], env)
        agreement[name] = check_agreement(name, d)

    peaks = {"torch": torch_sgemm()}
    m = re.search(r"gflops=([\d.]+)", java("org.acejvm.benchmarks.Sgemm", [2048, 10], peak_env))
    peaks["nd4j"] = float(m.group(1))
    print(f"sgemm 2048: ND4J {peaks['nd4j']:.1f} GFLOP/s, torch.mm {peaks['torch']:.1f} GFLOP/s", flush=True)
    if peaks["torch"] < 0.25 * peaks["nd4j"]:
        # Debian's torch takes the BLAS that update-alternatives points libblas.so.3 at; the reference BLAS (libblas3)
        # is 30-60x slower than OpenBLAS, which would make every ratio meaningless
        sys.exit(f"torch.mm reaches {peaks['torch']:.1f} GFLOP/s against ND4J's {peaks['nd4j']:.1f}: PyTorch runs on the "
                 "reference BLAS. Install OpenBLAS (apt-get install libopenblas0-pthread) and run again.")

    rows, failures = [], []
    for workload in workloads:
        for name in models:
            if f"{workload}:{name}" in args.skip.split(","):
                failures.append(f"{workload} {name}: skipped (--skip)")
                continue
            wb = [b for b in batches
                  if (name != "celeba" or b in celeba_batches) and (workload != "explain" or b in explain_batches)]
            if not wb:
                continue
            print(f"Java  {workload} {name} batch {wb} ...", flush=True)
            try:
                jt = jmh(workload, name, wb, args.quick, env)
            except (RuntimeError, OSError, ValueError) as e:  # e.g. out of off-heap memory: report, go on
                print(f"  Java {workload} {name} failed: {e}; skipped", flush=True)
                failures.append(f"{workload} {name} batch {wb}: the Java run failed ({e})")
                continue
            print(f"Torch {workload} {name} batch {wb} ...", flush=True)
            for b in wb:
                w = Torch(name, b)
                fn = getattr(w, workload)
                long_run = workload == "explain"
                mean, best, n = time_torch(fn, 1 if long_run else 2, 1 if long_run else 3, 0 if long_run else 3)
                rows.append(dict(workload=workload, model=name, batch=b, java_ms=jt[b][0], java_err=jt[b][1],
                                 torch_ms=mean, torch_min=best, torch_n=n, flops=w.flops(workload)))
                r = rows[-1]
                print(f"  {workload} {name} b{b}: Java {r['java_ms']:.1f} ms, PyTorch {mean:.1f} ms "
                      f"(min {best:.1f}, {n} runs), ratio {r['java_ms'] / mean:.2f}", flush=True)

    mem_lines = []
    for pair in filter(None, memory.split(",")):
        name, b = pair.split(":")
        try:
            jm = re.search(r"MEMORY .*", java("org.acejvm.benchmarks.MemoryProbe", [name, b, 3], env)).group(0)
        except RuntimeError as e:
            jm = f"failed: {e}"
        tm = subprocess.run([sys.executable, __file__, "--threads", str(args.threads), "--memory-child", pair],
                            env=env, stdout=subprocess.PIPE, text=True).stdout
        tm = re.search(r"rss_peak_mb=(\d+)", tm).group(1)
        mem_lines.append(f"- attack step, {name}, batch {b}: Java `{jm}`; PyTorch peak RSS {tm} MB")
        print(mem_lines[-1], flush=True)

    cpu, ncpu = machine()
    tab = table(rows, peaks)
    minutes = (time.time() - started) / 60
    print("\n" + tab + "\n", flush=True)
    guard({(r["workload"], r["model"], r["batch"]): r["java_ms"] / r["torch_ms"] for r in rows}, read_ratios(RESULTS))
    doc = [f"# Benchmark results: Java (ND4J) vs PyTorch",
           "",
           f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; run time {minutes:.1f} min; "
           f"command: `/usr/bin/python3 scripts/bench_compare.py {' '.join(sys.argv[1:])}`",
           f"- machine: {cpu}, {ncpu} CPUs (lscpu), shared with other jobs; load average at the end "
           f"{os.getloadavg()[0]:.2f}",
           f"- threads: {args.threads} (Java: {args.threads} plan workers (-Dace.plan.threads), OMP_NUM_THREADS="
           f"{args.java_omp_threads} for libnd4j; PyTorch: torch.set_num_threads); OMP_WAIT_POLICY=PASSIVE",
           f"- Java graph engine: {args.engine or 'plan (the default on the CPU)'} (`-Dace.engine`)",
           f"- Java: JMH average time (single shot for explain), {'-wi 1 -w 3s -i 5 -r 2s' if args.quick else '@Warmup 1x3s, @Measurement 3x4s'}"
           ", after a trial setup that runs the workload twice (graph and gradient-function creation); ± is JMH's 99.9% error",
           f"- PyTorch {torch.__version__}: mean of >= 3 timed calls and >= 3 s after 2 warm-up calls (explain: 1 warm-up, 1 timed)",
           f"- sgemm 2048x2048 (best of 10): ND4J {peaks['nd4j']:.1f} GFLOP/s, torch.mm {peaks['torch']:.1f} GFLOP/s",
           "- GFLOP: forward conv/matmul FLOPs from torch.profiler(with_flops=True); a backward pass counts as one more "
           "forward (input gradient only)",
           "- agreement before timing (batch 2; celeba batch 1, no gradient; Java outputs vs PyTorch on the same inputs and noise): " +
           "; ".join(f"{n}: " + ", ".join(f"{lbl} {d:.1e}" for lbl, d, _, _ in res) for n, res in agreement.items()),
           "",
           tab,
           ""]
    if failures:
        doc += ["Not measured:", ""] + ["- " + f for f in failures] + [""]
    if mem_lines:
        doc += ["Peak memory (fresh process, 3 attack steps):", ""] + mem_lines + [""]
    doc += ["Workloads: unetForward = one UNet call (t = 41); filterForward = F_tau, S = 5, stochastic; attackStep = one PGD "
            "iteration (classifier on x, forward+backward of classifier(F_tau(x')) + cross-entropy + 0.001 * L1, "
            "sign step, classifier on x'); refine = mask (dilation, threshold 0.15) and diffusion inpainting, S = 5; "
            "explain = Explainer defaults: 50 PGD iterations through F_tau, mask, inpainting, final classification.",
            "Models: fmnist = shipped Fashion-MNIST UNet (1x32x32) + CNN; celeba = CelebA UNet structure at base width 24 "
            "(3x128x128) + a 4-conv CNN (benchmarks/src/main/resources/bench/celeba_cnn.onnx).", ""]
    out = RESULTS if args.record else QUICK_OUT
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(doc))
    print(f"wrote {out} ({minutes:.1f} min)")


if __name__ == "__main__":
    main()
