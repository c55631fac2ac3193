"""Learned decisions: one feature builder shared by training (``build/train_models.py``) and
serving, small linear models shipped in ``marsad/data/models``, read with numpy only."""
