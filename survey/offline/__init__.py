"""Working offline: the service worker that keeps opened assessment pages and saves made offline."""
