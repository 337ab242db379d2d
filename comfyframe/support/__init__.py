"""Small shared helpers with no pandas: server text made safe for terminals (and lone surrogates made
visible), the job vocabulary and argument checks, the demo address, the cycle-collector pause, files
written without following links.

Imports nothing from comfyframe but ``errors``; every other stage may import it.
"""
