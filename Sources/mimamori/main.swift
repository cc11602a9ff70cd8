import Mimamori
print("mimamori: not yet")
