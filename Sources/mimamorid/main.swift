import Mimamori
print("mimamorid: not yet")
