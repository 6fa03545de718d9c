"""Build the optional C accelerator; vnfix falls back to pure Python when it cannot be compiled."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("vnfix._native", ["src/vnfix/_native.c"], optional=True, extra_compile_args=["-O2"])])
