#!/usr/bin/env bash
# Calibrate, then explain, with a Fashion-MNIST classifier this project did not train for the demo and the embedded
# diffusion model, as a user with their own classifier would. Usage, from the repository root:
#
#   scripts/outside_check.sh models/outside/cnn-gap/model.onnx out/outside-cnn-gap [count]
#
# 1. ./ace calibrate --classifier MODEL --out OUT/calibration   (skipped when OUT/calibration/calibration.txt exists)
# 2. writes the last count+16 Fashion-MNIST test images as 32x32 PNGs to OUT/images (calibrate chooses its 64
#    held-out images at random over the whole test set)
# 3. ./ace explain --settings OUT/calibration/calibration.txt --target runner-up --json on them, into OUT/explain
#    (each image aimed at the class the classifier finds second most probable)
# 4. prints the flip rate and the mean mask area over the first `count` images (default 50) that the classifier
#    assigns to their true class (the others are explained too, but not counted), also into OUT/summary.txt
#
# Needs /usr/bin/python3 with numpy and PIL (Debian: python3-numpy python3-pil) and the Fashion-MNIST files
# (ACE_FASHION_MNIST_DIR, default /usr/share/datasets/fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
model="$1"
out="$2"
count="${3:-50}"
data="${ACE_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$out"

if [ ! -f "$out/calibration/calibration.txt" ]; then
  ./ace calibrate --classifier "$model" --out "$out/calibration"
fi

/usr/bin/python3 - "$data" "$out/images" "$((count + 16))" <<'EOF'
import gzip, os, sys
import numpy as np
from PIL import Image
data, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")) as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
with gzip.open(os.path.join(data, "t10k-labels-idx1-ubyte.gz")) as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)
os.makedirs(folder, exist_ok=True)
for i in range(len(images) - n, len(images)):
    Image.fromarray(np.pad(images[i], 2)).save(os.path.join(folder, "test%05d_label%d.png" % (i, labels[i])))
EOF

./ace explain --classifier "$model" --settings "$out/calibration/calibration.txt" --image "$out/images" \
    --target runner-up --out "$out/explain" --json --quiet > "$out/explain.json"

/usr/bin/python3 - "$out/explain.json" "$count" <<'EOF' | tee "$out/summary.txt"
import json, re, sys
root, count = json.load(open(sys.argv[1])), int(sys.argv[2])
rows = [r for r in root["images"] if r["source"] == int(re.search(r"label(\d)", r["file"]).group(1))][:count]
flipped = sum(r["success"] for r in rows)
print("images counted: %d (of %d explained; the others the classifier gets wrong)" % (len(rows), len(root["images"])))
print("flip rate: %d/%d = %.1f%%" % (flipped, len(rows), 100.0 * flipped / len(rows)))
print("attack flip rate: %.1f%%" % (100.0 * sum(r["attackSuccess"] for r in rows) / len(rows)))
print("mean mask area: %.1f%%" % (100.0 * sum(r["maskArea"] for r in rows) / len(rows)))
print("mean |change| per pixel: %.4f" % (sum(r["meanAbsChange"] for r in rows) / len(rows)))
print("mean p(target): %.3f -> %.3f" % (sum(r["pTargetBefore"] for r in rows) / len(rows), sum(r["pTargetAfter"] for r in rows) / len(rows)))
for d in root["diagnosis"]:
    print("diagnosis: " + d)
EOF
