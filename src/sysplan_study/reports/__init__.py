"""Reports: stats and exports."""
