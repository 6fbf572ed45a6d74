print("kernel checks: not yet")
