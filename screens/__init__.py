"""Kivy views: one ``.py`` + ``.kv`` per screen. Screens hold no business rules and never
touch hardware: they show the flow's state and send it events through the controller."""
