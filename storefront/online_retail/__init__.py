"""The public "Online Retail" data set (UCI, CC BY 4.0): reading it, importing it, replaying it."""
