"""Stage 2, the models: the SQL models (staging and marts) discovered, built in order and
checked, with the computed release changes. Imports the shared base (transforms/) and schemas/,
never a later stage.
"""
