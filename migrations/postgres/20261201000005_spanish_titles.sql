-- Spanish titles known for a series or an episode from any of its airings (a station's
-- Spanish guide, a TVSS feed), so that every airing of it shows them, on every channel. Kept
-- by each import from the airings it wrote; `episode_key` '' holds the series' own title.
CREATE TABLE spanish_titles (
    series_key TEXT NOT NULL,
    episode_key TEXT NOT NULL,
    title_es TEXT,
    episode_title_es TEXT,
    PRIMARY KEY (series_key, episode_key)
);
INSERT INTO spanish_titles (series_key, episode_key, title_es, episode_title_es)
    SELECT series_key, '', MAX(title_es), NULL FROM airings
    WHERE title_es IS NOT NULL GROUP BY series_key;
INSERT INTO spanish_titles (series_key, episode_key, title_es, episode_title_es)
    SELECT series_key, episode_key, NULL, MAX(episode_title_es) FROM airings
    WHERE episode_title_es IS NOT NULL AND episode_key IS NOT NULL AND episode_key <> ''
    GROUP BY series_key, episode_key;
