"""``python -m gridstrain``: the ``gridstrain`` command (also the Parquet reader child)."""

from gridstrain._cli import main

if __name__ == "__main__":
    main()
