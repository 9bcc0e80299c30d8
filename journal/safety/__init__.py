"""A client's safety plan, and the crisis lines each person sees (the deployment's and their practices')."""
