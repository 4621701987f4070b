"""``python -m sharedprop``: the same command as the ``sharedprop`` console script."""

from sharedprop.cli import run

if __name__ == "__main__":
    run()
