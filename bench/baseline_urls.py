from django.shortcuts import render
from django.urls import path


def hello(request):
    return render(request, "baseline.html", {"items": ["one", "two", "three"]})


urlpatterns = [path("", hello)]
