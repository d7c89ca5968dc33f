"""The staff page (`/staff`): who may see it, what a reviewer may choose, charts, the HTML."""
