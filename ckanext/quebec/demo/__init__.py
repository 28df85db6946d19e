"""The portal's demo catalogue: its description and files under data/, and the loader."""
