"""target-insightly: a Singer target that writes records into Insightly."""
