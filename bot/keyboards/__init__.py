"""CallbackData factories and keyboard builders."""
