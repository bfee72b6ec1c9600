"""Search: by image, by URL, by text, over the account's vector spaces."""
