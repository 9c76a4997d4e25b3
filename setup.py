"""The compiled part of zhnews (pyproject.toml holds everything else): pkuseg's sentence
segmentation, flows/nlp/pkuseg_crf.pyx, built by `pip install` (in place with `-e`)."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                "flows.nlp.pkuseg_crf",
                ["flows/nlp/pkuseg_crf.pyx"],
                language="c++",
                extra_compile_args=["-O2"],
            )
        ],
        compiler_directives={"language_level": "3"},
    )
)
