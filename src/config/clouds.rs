//! clouds.yaml: found and read the way openstacksdk does.
