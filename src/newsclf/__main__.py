from newsclf.cli import entrypoint

entrypoint()
