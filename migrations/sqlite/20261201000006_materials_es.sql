-- The materials in Spanish, as the title and instructions have them (English is shown, marked
-- as English, where a teacher gave none).
ALTER TABLE assignments ADD COLUMN materials_es TEXT;
