#!/usr/bin/env bash
# Real footage for `python -m studio.bench quality`: vtest.avi (pedestrians,
# 768x576) and tree.avi (a moving camera, 320x240) from Debian's opencv-doc
# package (OpenCV sample data, Apache-2.0/BSD). Downloads about 95 MB once.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p clips
if [ -f clips/vtest.avi ] && [ -f clips/tree.avi ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download opencv-doc >/dev/null && dpkg -x opencv-doc_*.deb root)
cp "$work"/root/usr/share/doc/opencv-doc/examples/data/{vtest,tree}.avi clips/
ls -l clips
