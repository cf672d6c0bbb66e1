"""Production tracking: projects, milestones, tasks, task lists, task comments and the dashboard
figures.
"""
