print("kallad")
