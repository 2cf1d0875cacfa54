print("widash")
