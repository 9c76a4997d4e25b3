"""The compiled part of zhnews (pyproject.toml holds everything else): pkuseg's sentence
segmentation, flows/nlp/pkuseg_features.pyx (its features, with pkuseg_features.pxd and
pkuseg_tables.h) and flows/nlp/pkuseg_crf.pyx (its scores and words), built by `pip install`
(in place with `-e`)."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                f"flows.nlp.{name}",
                [f"flows/nlp/{name}.pyx"],
                language="c++",
                extra_compile_args=["-O2"],
            )
            for name in ("pkuseg_features", "pkuseg_crf")
        ],
        compiler_directives={"language_level": "3"},
    )
)
