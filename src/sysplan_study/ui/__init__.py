"""Terminal screens: Rich rendering, CJK wrapping, the interactive review and quiz loops."""
