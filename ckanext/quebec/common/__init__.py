"""What several concerns of the suite share: a plugin base class and template macros (templates/quebec/common/)."""
