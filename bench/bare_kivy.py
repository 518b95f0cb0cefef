"""Baseline for bench/startup.py: a bare Kivy window with one label, started like the kiosk."""
import os
import time

t0 = time.perf_counter()
os.environ["KIVY_NO_ARGS"] = "1"
from kivy.config import Config
Config.set("graphics", "width", "1080")
Config.set("graphics", "height", "1920")
Config.set("graphics", "borderless", "1")
Config.set("kivy", "log_level", "warning")
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.label import Label

class Bare(App):
    def build(self):
        return Label(text="Xin chào")

app = Bare()
def first(*_):
    Window.unbind(on_flip=first)
    print(f"first-frame {time.perf_counter() - t0:.4f}", flush=True)
    Clock.schedule_once(lambda dt: app.stop(), 0)
Window.bind(on_flip=first)
app.run()
