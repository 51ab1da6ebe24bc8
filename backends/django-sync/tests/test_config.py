"""Configuration from the environment: the rules of backends/common/src/config.rs."""

import os
import unittest

from django_notes.config import DEFAULT_POOL_SIZE, Config, ConfigError
from django_notes.cpus import available_cpus
from django_notes.plan import Plan

URL = {"DATABASE_URL": "postgres://bench:pw@127.0.0.1:5433/notes"}


class ConfigTest(unittest.TestCase):
    def error(self, environ: dict) -> str:
        with self.assertRaises(ConfigError) as raised:
            Config.from_env(environ)
        return str(raised.exception)


class Defaults(ConfigTest):
    def test_defaults_apply_when_only_the_database_is_given(self):
        config = Config.from_env(URL)
        self.assertEqual((config.host, config.port), ("0.0.0.0", 8000))
        self.assertEqual(config.pool_size, DEFAULT_POOL_SIZE)
        self.assertEqual(config.workers, available_cpus())
        self.assertEqual(config.database["port"], "5433")
        self.assertEqual(config.database["dbname"], "notes")

    def test_workers_default_follows_the_affinity_mask(self):
        allowed = os.sched_getaffinity(0)
        try:
            os.sched_setaffinity(0, {min(allowed)})
            self.assertEqual(Config.from_env(URL).workers, 1)
        finally:
            os.sched_setaffinity(0, allowed)
        self.assertLessEqual(available_cpus(), len(allowed))

    def test_every_knob_is_read_and_empty_means_unset(self):
        config = Config.from_env(
            {**URL, "HOST": "::1", "PORT": "9001", "DB_POOL_SIZE": "7", "WORKERS": "3", "X": ""}
        )
        self.assertEqual(
            (config.host, config.port, config.pool_size, config.workers), ("::1", 9001, 7, 3)
        )
        self.assertEqual(Config.from_env({**URL, "PORT": ""}).port, 8000)

    def test_database_parts(self):
        config = Config.from_env(
            {
                "DATABASE_HOST": "db",
                "DATABASE_USER": "postgres",
                "DATABASE_NAME": "notes",
                "DATABASE_PASSWORD": "secret",
            }
        )
        self.assertEqual(
            config.database,
            {
                "host": "db",
                "user": "postgres",
                "dbname": "notes",
                "port": "5432",
                "password": "secret",
            },
        )


class Errors(ConfigTest):
    def test_missing_database_names_the_variables(self):
        self.assertIn("DATABASE_URL", self.error({}))
        self.assertTrue(
            self.error({"DATABASE_HOST": "db", "DATABASE_USER": "u"}).startswith(
                "DATABASE_NAME is not set"
            )
        )

    def test_malformed_values_name_variable_value_and_expectation(self):
        for name, value in [
            ("PORT", "eighty"),
            ("PORT", "70000"),
            ("PORT", "1_0"),
            ("HOST", "not an ip"),
            ("HOST", "fe80::1%eth0"),
            ("DB_POOL_SIZE", "0"),
            ("DB_POOL_SIZE", "-3"),
            ("WORKERS", "lots"),
            ("WORKERS", "0"),
            ("WORKERS", "1.5"),
        ]:
            message = self.error({**URL, name: value})
            self.assertTrue(
                message.startswith(f'{name}="{value}" is malformed: expected '), message
            )
            self.assertNotIn("\n", message)

    def test_database_url_must_be_postgres_and_hides_the_password(self):
        self.assertTrue(
            self.error({"DATABASE_URL": "mysql://root@h/db"}).startswith("DATABASE_URL=")
        )
        for url in [
            "postgres://u:hunter2@h:notaport/db",
            "postgres://u:hunter2@h:70000/db",
            "postgres://u:hunter2@h/db?bogus=1",
        ]:
            message = self.error({"DATABASE_URL": url})
            self.assertIn("u:***@h", message)
            self.assertNotIn("hunter2", message)
        self.assertEqual(
            Config.from_env({"DATABASE_URL": "postgresql://h/db"}).database,
            {"host": "h", "dbname": "db"},
        )


class Mapping(unittest.TestCase):
    def test_pools_add_up_to_the_pool_size_and_differ_by_at_most_one(self):
        self.assertEqual(Plan.split(20, 1).pool_sizes, (20,))
        self.assertEqual(Plan.split(20, 3).pool_sizes, (7, 7, 6))
        self.assertEqual(Plan.split(2, 4).pool_sizes, (1, 1))
        for pool_size in range(1, 30):
            for workers in range(1, 9):
                sizes = Plan.split(pool_size, workers).pool_sizes
                self.assertEqual(sum(sizes), pool_size)
                self.assertEqual(len(sizes), min(pool_size, workers))
                self.assertLessEqual(max(sizes) - min(sizes), 1)

    def test_a_restarted_process_takes_the_free_slot(self):
        self.assertEqual(Plan.split(20, 3).free_slot({0, 2}), 1)


if __name__ == "__main__":
    unittest.main()
