"""The training corpus: annotations of pool articles (spans, sentence labels, mention roles).

``labels`` holds the vocabularies, ``record`` the stored format and its validator, ``corpus``
the loader that joins annotations with the shared articles, ``sheet`` and ``compile`` the
coder's tools, ``agreement`` the inter-coder figures and ``stats`` the counts.
"""
