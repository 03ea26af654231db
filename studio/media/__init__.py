"""Media I/O: keyframe images in, H.264 clips out, probing clips back.

The only package that runs ffmpeg or decodes image files.
"""
