print("widash-bench")
